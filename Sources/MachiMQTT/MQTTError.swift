/// An error raised by the MQTT codec, the connection state machine or ``MQTTClient``.
///
/// Match on ``code`` to react programmatically; ``message`` is a human-readable explanation.
public struct MQTTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of an ``MQTTError``.
    public enum Code: Sendable, Hashable, CustomStringConvertible {
        /// The broker answered CONNECT with a CONNACK carrying a non-zero return code.
        case connectionRefused(MQTTConnectReturnCode)
        /// The TCP connection to the broker could not be established.
        case connectionFailed
        /// The connection was closed (by either side) while the operation was pending.
        case connectionClosed
        /// The operation needs an established MQTT connection, and there is none.
        case notConnected
        /// A deadline passed: CONNACK, PUBACK, SUBACK, UNSUBACK or PINGRESP did not arrive in time.
        case timeout
        /// Bytes on the wire violate the packet format (remaining length, reserved flags, QoS 3, truncation, ...).
        case malformedPacket
        /// An incoming packet is larger than the configured maximum packet size.
        case packetTooLarge
        /// A string on the wire is not well-formed UTF-8 or contains U+0000.
        case invalidUTF8String
        /// The peer sent a well-formed packet that is not allowed in the current state.
        case protocolViolation
        /// An argument passed by the caller is invalid (e.g. a topic name with wildcards).
        case invalidArgument
        /// The feature is not implemented by this client (e.g. QoS 2).
        case unsupported
        /// All 65535 packet identifiers are in use by unacknowledged operations.
        case packetIdentifiersExhausted

        /// The case name, with the return code for ``connectionRefused(_:)``.
        public var description: String {
            switch self {
            case .connectionRefused(let returnCode): "connectionRefused(\(returnCode.rawValue): \(returnCode))"
            case .connectionFailed: "connectionFailed"
            case .connectionClosed: "connectionClosed"
            case .notConnected: "notConnected"
            case .timeout: "timeout"
            case .malformedPacket: "malformedPacket"
            case .packetTooLarge: "packetTooLarge"
            case .invalidUTF8String: "invalidUTF8String"
            case .protocolViolation: "protocolViolation"
            case .invalidArgument: "invalidArgument"
            case .unsupported: "unsupported"
            case .packetIdentifiersExhausted: "packetIdentifiersExhausted"
            }
        }
    }

    /// The category of the error.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    /// Creates an error with a code and an explanation.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `MQTTError.<code>: <message>`.
    public var description: String { "MQTTError.\(self.code): \(self.message)" }
}

extension MQTTError {
    static func malformed(_ message: String) -> MQTTError { MQTTError(.malformedPacket, message) }
    static func invalidArgument(_ message: String) -> MQTTError { MQTTError(.invalidArgument, message) }
    static func protocolViolation(_ message: String) -> MQTTError { MQTTError(.protocolViolation, message) }
}
