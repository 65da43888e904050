public import MachiCore
public import OrderedCollections

/// A service group (FIWARE "config group"): the devices that send with one API key to one southbound resource,
/// with the entity type, attributes and commands they share. Unique by `(resource, apikey)` across all services,
/// since a device's message names only the API key.
public struct ServiceGroup: Sendable, Hashable {
    /// The tenant (`Fiware-Service`); `nil` for the default tenant.
    public var service: String?
    /// `Fiware-ServicePath`, `/` by default.
    public var subservice: String
    public var resource: String
    public var apikey: String
    public var entityType: String?
    /// Add `observedAt` (the reception time) to measures that carry no timestamp.
    public var timestamp: Bool?
    public var attributes: [AttributeMapping]
    public var staticAttributes: [AttributeMapping]
    public var commands: [AttributeMapping]
    /// Only mapped measures are written.
    public var explicitAttrs: Bool
    /// Whether unknown devices sending with this API key are provisioned on their first message (default `true`).
    public var autoprovision: Bool
    public var transport: String?
    /// Where devices of the group receive HTTP commands.
    public var endpoint: String?
    /// Accepted, stored and returned, with no effect in Machi (`trust`, `cbHost`, `internal_attributes`, …).
    public var passive: JSONObject

    static let knownFields: Set<String> = [
        "service", "subservice", "resource", "apikey", "timestamp", "entity_type", "type", "trust", "cbHost", "lazy",
        "commands", "attributes", "static_attributes", "internal_attributes", "explicitAttrs", "entityNameExp",
        "ngsiVersion", "defaultEntityNameConjunction", "autoprovision", "payloadType", "transport", "endpoint",
        "description", "protocol", "storeLastMeasure", "useCBflowControl", "expressionLanguage",
    ]
    static let passiveFields: Set<String> = [
        "trust", "cbHost", "internal_attributes", "ngsiVersion", "description", "protocol", "storeLastMeasure",
        "useCBflowControl", "defaultEntityNameConjunction",
    ]

    /// Decodes a group of a `POST /iot/services` body; the service and subservice come from the headers.
    public init(_ json: JSON, service: String?, subservice: String) throws(IoTError) {
        let fields = try ProvisioningFields(json, what: "service group", known: Self.knownFields)
        try Self.refuseUnsupported(fields)
        self.service = service
        self.subservice = subservice
        resource = try fields.requiredString("resource")
        apikey = try fields.requiredString("apikey")
        let legacyType = try fields.string("type")
        entityType = try fields.string("entity_type") ?? legacyType
        timestamp = try fields.bool("timestamp")
        attributes = try fields.mappings("attributes")
        staticAttributes = try fields.mappings("static_attributes")
        commands = try fields.mappings("commands")
        explicitAttrs = try fields.bool("explicitAttrs") ?? false
        autoprovision = try fields.bool("autoprovision") ?? true
        transport = try fields.string("transport")
        endpoint = try fields.string("endpoint")
        passive = fields.object.filter { Self.passiveFields.contains($0.key) }
    }

    static func refuseUnsupported(_ fields: ProvisioningFields) throws(IoTError) {
        if let lazy = fields.object["lazy"], lazy != .array([]), !lazy.isNull {
            throw IoTError(.notImplemented, "lazy attributes are not supported by Machi's IoT agent")
        }
        if let expression = fields.object["entityNameExp"], !expression.isNull {
            throw IoTError(.notImplemented, "entityNameExp (JEXL expressions) is not supported by Machi's IoT agent")
        }
        if case .string(let kind)? = fields.object["explicitAttrs"], kind != "true" && kind != "false" {
            throw IoTError(.notImplemented, "explicitAttrs expressions are not supported by Machi's IoT agent")
        }
        if let payloadType = try fields.string("payloadType"), payloadType != "iotagent" {
            throw IoTError(.notImplemented, "payloadType \(payloadType) is not supported (only iotagent)")
        }
    }

    /// Applies a `PUT /iot/services` body: the members it has replace the group's.
    public mutating func update(with json: JSON) throws(IoTError) {
        var merged = self.json.objectValue ?? [:]
        guard case .object(let changes) = json else {
            throw IoTError(.wrongSyntax, "a service group must be a JSON object")
        }
        for (key, value) in changes { merged[key] = value }
        merged["resource"] = .string(resource)
        merged["apikey"] = .string(apikey)
        self = try ServiceGroup(.object(merged), service: service, subservice: subservice)
    }

    /// The group as `GET /iot/services` returns it (and as it is stored).
    public var json: JSON {
        var object = passive
        object["resource"] = .string(resource)
        object["apikey"] = .string(apikey)
        object["service"] = .string(service ?? "")
        object["subservice"] = .string(subservice)
        if let entityType { object["entity_type"] = .string(entityType) }
        if let timestamp { object["timestamp"] = .bool(timestamp) }
        object["attributes"] = .array(attributes.map(\.json))
        object["static_attributes"] = .array(staticAttributes.map(\.json))
        object["commands"] = .array(commands.map(\.json))
        object["lazy"] = .array([])
        object["explicitAttrs"] = .bool(explicitAttrs)
        object["autoprovision"] = .bool(autoprovision)
        if let transport { object["transport"] = .string(transport) }
        if let endpoint { object["endpoint"] = .string(endpoint) }
        return .object(object)
    }

    /// The stored record's key within its tenant.
    var storeKey: String { "\(resource)\u{1F}\(apikey)" }
}
