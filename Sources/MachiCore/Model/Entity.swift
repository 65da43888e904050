public import OrderedCollections

/// An NGSI-LD entity in Machi's one internal representation: **expanded** (types, attribute and sub-attribute
/// names are full IRIs) and **normalized** (every attribute is an object with its `type`).
///
/// Compaction to short names happens only at the API edge, per request, with the request's @context.
public struct Entity: Sendable, Hashable {
    /// The entity id (a URI).
    public var id: String
    /// Expanded type IRIs; at least one.
    public var types: [String]
    /// The entity's scopes (`/Madrid/Gardens`), if any.
    public var scopes: [String]
    /// Attributes by expanded name. Each name holds one or more instances that differ by `datasetId`
    /// (at most one instance without a `datasetId`: the default instance).
    public var attributes: OrderedDictionary<String, [Attribute]>
    /// When the entity was created (ISO 8601 UTC with milliseconds), set by the broker.
    public var createdAt: String?
    /// When the entity was last modified, set by the broker.
    public var modifiedAt: String?

    public init(
        id: String,
        types: [String],
        scopes: [String] = [],
        attributes: OrderedDictionary<String, [Attribute]> = [:],
        createdAt: String? = nil,
        modifiedAt: String? = nil
    ) {
        self.id = id
        self.types = types
        self.scopes = scopes
        self.attributes = attributes
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
    }

    /// The default instance (no `datasetId`) of an attribute, or its first instance.
    public func attribute(_ name: String) -> Attribute? {
        guard let instances = attributes[name] else { return nil }
        return instances.first(where: { $0.datasetId == nil }) ?? instances.first
    }
}

/// One attribute instance in normalized form: a JSON object with `type`, the kind's value member
/// (`value`, `object`, `languageMap`, `vocab`, `json`, `valueList`, `objectList`), optional `datasetId`,
/// `observedAt`, `unitCode`, `createdAt`, `modifiedAt`, and sub-attributes under expanded names.
public struct Attribute: Sendable, Hashable {
    /// The members, in normalized form.
    public var members: JSONObject

    public init(members: JSONObject) { self.members = members }

    /// The attribute kind from `type`.
    public var kind: AttributeKind? { members["type"]?.stringValue.flatMap(AttributeKind.init(rawValue:)) }

    /// The value held by the kind's value member (`value` for a Property, `object` for a Relationship, …).
    public var value: JSON? {
        guard let kind else { return nil }
        return members[kind.valueMember]
    }

    public var datasetId: String? { members["datasetId"]?.stringValue }
    public var observedAt: String? { members["observedAt"]?.stringValue }
    public var unitCode: String? { members["unitCode"]?.stringValue }
}

/// The NGSI-LD attribute kinds.
public enum AttributeKind: String, Sendable, CaseIterable {
    case property = "Property"
    case relationship = "Relationship"
    case geoProperty = "GeoProperty"
    case languageProperty = "LanguageProperty"
    case vocabProperty = "VocabProperty"
    case jsonProperty = "JsonProperty"
    case listProperty = "ListProperty"
    case listRelationship = "ListRelationship"

    /// The member that holds the value in normalized form.
    public var valueMember: String {
        switch self {
        case .property, .geoProperty: "value"
        case .relationship: "object"
        case .languageProperty: "languageMap"
        case .vocabProperty: "vocab"
        case .jsonProperty: "json"
        case .listProperty: "valueList"
        case .listRelationship: "objectList"
        }
    }
}
