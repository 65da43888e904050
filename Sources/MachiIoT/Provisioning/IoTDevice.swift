public import MachiCore
public import OrderedCollections

/// A provisioned device: which entity its measures update, how they map to attributes, which commands it takes.
public struct IoTDevice: Sendable, Hashable {
    public var deviceId: String
    /// The tenant (`Fiware-Service`); `nil` for the default tenant.
    public var service: String?
    public var servicePath: String
    /// The entity id; `urn:ngsi-ld:<entity_type>:<device_id>` when not provisioned.
    public var entityName: String
    public var entityType: String
    /// The device's own API key, if it does not use its group's.
    public var apikey: String?
    public var timestamp: Bool?
    /// Where HTTP commands are pushed.
    public var endpoint: String?
    /// `PDI-IoTA-UltraLight` (default) or `PDI-IoTA-JSON`: the encoding of commands.
    public var protocol_: String?
    /// `HTTP` or `MQTT`: how commands are delivered.
    public var transport: String?
    public var attributes: [AttributeMapping]
    public var staticAttributes: [AttributeMapping]
    public var commands: [AttributeMapping]
    public var explicitAttrs: Bool?
    /// Accepted, stored and returned, with no effect in Machi.
    public var passive: JSONObject

    static let knownFields: Set<String> = [
        "device_id", "service", "service_path", "entity_name", "entity_type", "timezone", "timestamp", "apikey",
        "endpoint", "protocol", "transport", "attributes", "commands", "lazy", "static_attributes",
        "internal_attributes", "explicitAttrs", "ngsiVersion", "payloadType", "useCBflowControl", "storeLastMeasure",
        "polling", "entityNameExp",
    ]
    static let passiveFields: Set<String> = [
        "timezone", "internal_attributes", "ngsiVersion", "useCBflowControl", "storeLastMeasure", "polling",
    ]

    /// Decodes a device of a `POST /iot/devices` body; the service and service path come from the headers.
    /// - Parameter group: the device's service group, for the entity type when the device names none.
    public init(_ json: JSON, service: String?, servicePath: String, group: ServiceGroup?) throws(IoTError) {
        let fields = try ProvisioningFields(json, what: "device", known: Self.knownFields)
        try ServiceGroup.refuseUnsupported(fields)
        deviceId = try fields.requiredString("device_id")
        guard Self.isValidIdentifier(deviceId) else {
            throw IoTError(.wrongSyntax, "device_id \"\(deviceId)\" may not contain spaces, '/', '#', '+' or '?'")
        }
        self.service = service
        self.servicePath = servicePath
        guard let type = try fields.string("entity_type") ?? group?.entityType else {
            throw IoTError(.wrongSyntax, "device \(deviceId) needs an entity_type (or a service group that has one)")
        }
        entityType = type
        entityName = try fields.string("entity_name") ?? "urn:ngsi-ld:\(type):\(deviceId)"
        apikey = try fields.string("apikey")
        timestamp = try fields.bool("timestamp")
        endpoint = try fields.string("endpoint")
        protocol_ = try fields.string("protocol")
        transport = try fields.string("transport")
        attributes = try fields.mappings("attributes")
        staticAttributes = try fields.mappings("static_attributes")
        commands = try fields.mappings("commands")
        explicitAttrs = try fields.bool("explicitAttrs")
        passive = fields.object.filter { Self.passiveFields.contains($0.key) }
    }

    /// A device provisioned on its first measure (autoprovision): everything comes from its group.
    init(autoprovisionedAs deviceId: String, in group: ServiceGroup) {
        self.deviceId = deviceId
        service = group.service
        servicePath = group.subservice
        entityType = group.entityType ?? "Thing"
        entityName = "urn:ngsi-ld:\(entityType):\(deviceId)"
        apikey = nil
        timestamp = nil
        endpoint = nil
        protocol_ = nil
        transport = nil
        attributes = []
        staticAttributes = []
        commands = []
        explicitAttrs = nil
        passive = [:]
    }

    /// Applies a `PUT /iot/devices/{id}` body: the members it has replace the device's (not its id).
    public mutating func update(with json: JSON, group: ServiceGroup?) throws(IoTError) {
        guard case .object(let changes) = json else { throw IoTError(.wrongSyntax, "a device must be a JSON object") }
        if let id = changes["device_id"], id != .string(deviceId) {
            throw IoTError(.wrongSyntax, "the device_id of a device cannot change")
        }
        var merged = self.json.objectValue ?? [:]
        for (key, value) in changes { merged[key] = value }
        self = try IoTDevice(.object(merged), service: service, servicePath: servicePath, group: group)
    }

    /// Device ids are path segments and MQTT topic levels: no spaces, `/`, `#`, `+`, `?`.
    static func isValidIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 256
            && !text.unicodeScalars.contains { " /#+?&\t\r\n".unicodeScalars.contains($0) || $0.value < 0x20 }
    }

    /// The device as `GET /iot/devices/{id}` returns it (and as it is stored).
    public var json: JSON {
        var object = passive
        object["device_id"] = .string(deviceId)
        object["service"] = .string(service ?? "")
        object["service_path"] = .string(servicePath)
        object["entity_name"] = .string(entityName)
        object["entity_type"] = .string(entityType)
        if let apikey { object["apikey"] = .string(apikey) }
        if let timestamp { object["timestamp"] = .bool(timestamp) }
        if let endpoint { object["endpoint"] = .string(endpoint) }
        if let protocol_ { object["protocol"] = .string(protocol_) }
        if let transport { object["transport"] = .string(transport) }
        object["attributes"] = .array(attributes.map(\.json))
        object["lazy"] = .array([])
        object["commands"] = .array(commands.map(\.json))
        object["static_attributes"] = .array(staticAttributes.map(\.json))
        if let explicitAttrs { object["explicitAttrs"] = .bool(explicitAttrs) }
        return .object(object)
    }

    /// The stored record's key within its tenant.
    var storeKey: String { "\(servicePath)\u{1F}\(deviceId)" }

    /// Whether commands are encoded as JSON (`PDI-IoTA-JSON`) rather than UltraLight.
    var usesJSON: Bool { protocol_?.uppercased().contains("JSON") ?? false }
}
