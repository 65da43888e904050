/// An IoT Agent API error, answered as FIWARE's IoT agents do: `{"name": "DEVICE_NOT_FOUND", "message": "…"}` with
/// the code's HTTP status, so FIWARE provisioning scripts and devices see what they expect.
public struct IoTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An error name of iotagent-node-lib with its HTTP status.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public let status: Int

        public var description: String { name }

        /// The body does not follow the provisioning schema (unknown field, wrong type, missing member).
        public static let wrongSyntax = Code(name: "WRONG_SYNTAX", status: 400)
        /// A header the operation needs is missing or invalid.
        public static let missingHeaders = Code(name: "MISSING_HEADERS", status: 400)
        /// A query parameter the operation needs is missing or invalid.
        public static let badRequest = Code(name: "BAD_REQUEST", status: 400)
        /// A measure payload that cannot be decoded (malformed UltraLight or JSON, a value of the wrong type).
        public static let badPayload = Code(name: "BAD_PAYLOAD", status: 400)
        public static let duplicateDevice = Code(name: "DUPLICATE_DEVICE_ID", status: 409)
        public static let duplicateGroup = Code(name: "DUPLICATE_GROUP", status: 409)
        public static let deviceNotFound = Code(name: "DEVICE_NOT_FOUND", status: 404)
        public static let groupNotFound = Code(name: "DEVICE_GROUP_NOT_FOUND", status: 404)
        /// A provisioning feature Machi does not implement (e.g. JEXL expressions, lazy attributes).
        public static let notImplemented = Code(name: "NOT_IMPLEMENTED", status: 501)
        /// The broker refused the entity write the agent derived (its NGSI-LD error is in the message).
        public static let entityError = Code(name: "ENTITY_GENERIC_ERROR", status: 400)
        public static let internalError = Code(name: "INTERNAL_ERROR", status: 500)
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }

    public static func == (lhs: IoTError, rhs: IoTError) -> Bool { lhs.code == rhs.code }
}
