/// A failure of the storage layer itself (not of the request): the database is unreachable, a file is corrupt,
/// the disk is full.
///
/// The code is opaque, so new codes don't break callers; `==` compares codes only, so tests can match on it.
/// `description` never contains database error text (SQL, file paths): it is safe to show to API clients.
/// The details are in `debugDescription`, which belongs in debug logs only.
///
/// ```swift
/// do {
///     _ = try await store.apply(changes, tenant: tenant)
/// } catch let error as StoreError where error.code == .unavailable {
///     // retry later, or answer 503
/// }
/// ```
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of storage failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case unavailable, corrupt, io, invalidConfiguration, closed, internalError
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The store cannot be reached or opened now (locked, busy, permissions); retrying may succeed.
        public static let unavailable = Code(.unavailable)
        /// Stored data is damaged or does not belong where it was found.
        public static let corrupt = Code(.corrupt)
        /// Reading or writing failed (disk full, I/O error).
        public static let io = Code(.io)
        /// The store's configuration cannot work (e.g. the data directory is a file).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The store has been closed.
        public static let closed = Code(.closed)
        /// An unexpected failure inside the store.
        public static let internalError = Code(.internalError)

        /// The code's name, e.g. `unavailable`.
        public var description: String {
            switch base {
            case .unavailable: "unavailable"
            case .corrupt: "corrupt"
            case .io: "io"
            case .invalidConfiguration: "invalidConfiguration"
            case .closed: "closed"
            case .internalError: "internalError"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// A constant, client-safe summary written by the store (never database text).
    public var message: String
    /// The error that caused this one (e.g. a database error); shown only by `debugDescription`.
    public var underlying: (any Error & Sendable)?
    /// Where the error was thrown (`#fileID`).
    public var file: String
    /// The line where the error was thrown.
    public var line: Int

    /// Creates a store error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: A client-safe summary; do not put database error text or paths here.
    ///   - underlying: The cause, kept for debugging.
    public init(
        _ code: Code,
        _ message: String,
        underlying: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    /// `code: message`, without the underlying error.
    public var description: String { "StoreError(\(code)): \(message)" }

    /// Everything, including the underlying error and the throw site: for debug logs only.
    public var debugDescription: String {
        var text = "StoreError(\(code)): \(message) at \(file):\(line)"
        if let underlying { text += " underlying: \(String(reflecting: underlying))" }
        return text
    }

    /// Compares codes only.
    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.code == rhs.code }
}
