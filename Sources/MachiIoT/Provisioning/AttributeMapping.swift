public import MachiCore
public import OrderedCollections

/// One attribute of a device or service group (FIWARE's `attributes`, `static_attributes`, `commands` entries):
/// which measure (`object_id`) feeds which entity attribute (`name`), of which FIWARE `type`, with which
/// `metadata` (`unitCode` becomes the NGSI-LD `unitCode`, the rest become sub-properties).
public struct AttributeMapping: Sendable, Hashable {
    /// The measure's key in the device payload; the attribute name when absent.
    public var objectId: String?
    public var name: String
    /// FIWARE attribute type: `Number`, `Text`, `Boolean`, `geo:json`, `Relationship`, `DateTime`, `command`, …
    public var type: String
    public var metadata: JSONObject
    /// The value of a static attribute.
    public var value: JSON?

    /// The key that selects this mapping in a payload.
    public var measureKey: String { objectId ?? name }

    static let knownFields: Set<String> = [
        "object_id", "name", "type", "metadata", "value", "expression", "entity_name", "entity_type", "reverse",
        "link", "skipValue",
    ]

    init(_ json: JSON, section: String) throws(IoTError) {
        let fields = try ProvisioningFields(json, what: "an entry of \(section)", known: Self.knownFields)
        for unsupported in ["expression", "entity_name", "entity_type", "reverse", "link", "skipValue"]
        where fields.object[unsupported].map({ !$0.isNull }) ?? false {
            throw IoTError(.notImplemented, "\"\(unsupported)\" in \(section) is not supported by Machi's IoT agent")
        }
        name = try fields.requiredString("name")
        objectId = try fields.string("object_id")
        type = try fields.string("type") ?? (section == "commands" ? "command" : "Text")
        switch fields.object["metadata"] {
        case nil, .null?: metadata = [:]
        case .object(let object)?: metadata = object
        default: throw IoTError(.wrongSyntax, "\"metadata\" of \(name) must be an object")
        }
        value = fields.object["value"]
        if section == "static_attributes" && value == nil {
            throw IoTError(.wrongSyntax, "static attribute \(name) needs a value")
        }
    }

    public init(objectId: String? = nil, name: String, type: String, metadata: JSONObject = [:], value: JSON? = nil) {
        self.objectId = objectId
        self.name = name
        self.type = type
        self.metadata = metadata
        self.value = value
    }

    /// The provisioning JSON of this mapping.
    var json: JSON {
        var object: JSONObject = [:]
        if let objectId { object["object_id"] = .string(objectId) }
        object["name"] = .string(name)
        object["type"] = .string(type)
        if !metadata.isEmpty { object["metadata"] = .object(metadata) }
        if let value { object["value"] = value }
        return .object(object)
    }
}
