/// A seeded @context directory (`contexts.seed`) that cannot be used; the server does not start with one.
public struct ContextSeedError: Error, CustomStringConvertible {
    /// What is wrong with the seed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case manifestUnreadable
            case manifestInvalid
            case documentUnreadable
            case documentInvalid
        }
        private let base: Base

        /// `manifest.json` is missing or cannot be read.
        public static let manifestUnreadable = Code(base: .manifestUnreadable)
        /// `manifest.json` is not a JSON object of http(s) URLs to file names.
        public static let manifestInvalid = Code(base: .manifestInvalid)
        /// A file the manifest names is missing or cannot be read.
        public static let documentUnreadable = Code(base: .documentUnreadable)
        /// A file the manifest names is not a JSON-LD @context document.
        public static let documentInvalid = Code(base: .documentInvalid)

        /// The code's name.
        public var description: String { "\(self.base)" }
    }

    /// What is wrong.
    public var code: Code
    /// Details, naming the file.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// `code: message`.
    public var description: String { "context seed \(self.code): \(self.message)" }
}

extension ContextSeedError: Equatable {
    /// Errors are equal when their codes are.
    public static func == (lhs: ContextSeedError, rhs: ContextSeedError) -> Bool { lhs.code == rhs.code }
}
