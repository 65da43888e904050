/// An NGSI-LD API error: an RFC 7807 ProblemDetails with an NGSI-LD error type (ETSI GS CIM 009, 5.5.2).
///
/// The type is an opaque `Code`, so new codes don't break callers; `==` compares codes only.
public struct NGSIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An NGSI-LD error type with its default HTTP status.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The short name, e.g. `BadRequestData`.
        public let name: String
        /// The HTTP status the specification assigns.
        public let status: Int
        /// The error type URI, e.g. `https://uri.etsi.org/ngsi-ld/errors/BadRequestData`.
        public var typeURI: String { "https://uri.etsi.org/ngsi-ld/errors/\(name)" }
        public var description: String { name }

        public static let invalidRequest = Code(name: "InvalidRequest", status: 400)
        public static let badRequestData = Code(name: "BadRequestData", status: 400)
        public static let alreadyExists = Code(name: "AlreadyExists", status: 409)
        public static let operationNotSupported = Code(name: "OperationNotSupported", status: 422)
        public static let resourceNotFound = Code(name: "ResourceNotFound", status: 404)
        public static let internalError = Code(name: "InternalError", status: 500)
        public static let tooComplexQuery = Code(name: "TooComplexQuery", status: 403)
        public static let tooManyResults = Code(name: "TooManyResults", status: 403)
        /// 504 Gateway Timeout since GS CIM 009 V1.6 (6.3.2); earlier versions used 503.
        public static let ldContextNotAvailable = Code(name: "LdContextNotAvailable", status: 504)
        public static let nonexistentTenant = Code(name: "NonexistentTenant", status: 404)
        public static let conflict = Code(name: "Conflict", status: 409)
        public static let unsupportedMediaType = Code(name: "InvalidRequest", status: 415)
        public static let notAcceptable = Code(name: "InvalidRequest", status: 406)
        public static let payloadTooLarge = Code(name: "InvalidRequest", status: 413)
        public static let methodNotAllowed = Code(name: "InvalidRequest", status: 405)
        /// A feature Machi does not implement (yet): OperationNotSupported with 501 Not Implemented.
        public static let notImplemented = Code(name: "OperationNotSupported", status: 501)
    }

    public var code: Code
    /// A short summary; the same for every error of a code.
    public var title: String
    /// What exactly was wrong with this request.
    public var detail: String
    /// The HTTP status; the code's default unless overridden.
    public var status: Int

    public init(_ code: Code, _ detail: String, title: String? = nil, status: Int? = nil) {
        self.code = code
        self.detail = detail
        self.title = title ?? NGSIError.defaultTitle(code)
        self.status = status ?? code.status
    }

    public var description: String { "\(code.name): \(detail)" }

    public static func == (lhs: NGSIError, rhs: NGSIError) -> Bool { lhs.code == rhs.code }

    /// The ProblemDetails body (RFC 7807).
    public var problemDetails: JSON {
        [
            "type": .string(code.typeURI), "title": .string(title), "status": .number(Double(status)),
            "detail": .string(detail),
        ]
    }

    static func defaultTitle(_ code: Code) -> String {
        switch code.name {
        case "InvalidRequest":
            "The request associated to the operation is syntactically invalid or includes wrong content"
        case "BadRequestData": "The request includes input data which does not meet the requirements of the operation"
        case "AlreadyExists": "The referred element already exists"
        case "OperationNotSupported": "The operation is not supported"
        case "ResourceNotFound": "The referred resource has not been found"
        case "InternalError": "There has been an error during the operation execution"
        case "TooComplexQuery": "The query is too complex"
        case "TooManyResults": "The query results in too many entities"
        case "LdContextNotAvailable": "A remote JSON-LD @context could not be retrieved"
        case "NonexistentTenant": "The addressed tenant does not exist"
        default: code.name
        }
    }

    public static func invalidRequest(_ detail: String) -> NGSIError { NGSIError(.invalidRequest, detail) }
    public static func badRequestData(_ detail: String) -> NGSIError { NGSIError(.badRequestData, detail) }
    public static func notFound(_ detail: String) -> NGSIError { NGSIError(.resourceNotFound, detail) }
    public static func alreadyExists(_ detail: String) -> NGSIError { NGSIError(.alreadyExists, detail) }
}
