/// An error of the simulator.
public struct DemoError: Error, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case serverUnreachable
            case provisioningRejected
            case brokerUnavailable
        }
        private let base: Base

        /// The server did not answer (connection refused, timeout).
        public static let serverUnreachable = Code(base: .serverUnreachable)
        /// The server answered a provisioning request with an unexpected status.
        public static let provisioningRejected = Code(base: .provisioningRejected)
        /// Mosquitto could not be started or did not accept connections.
        public static let brokerUnavailable = Code(base: .brokerUnavailable)

        /// The code's name.
        public var description: String { "\(self.base)" }
    }

    /// What went wrong.
    public var code: Code
    /// Details.
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
    public var description: String { "\(self.code): \(self.message)" }
}
