import OrderedCollections

/// Member names of attributes that are NGSI-LD keywords, not sub-attributes: never expanded or compacted.
enum AttributeMembers {
    static let reserved: Set<String> = [
        "type", "value", "object", "objectType", "languageMap", "vocab", "json", "valueList", "objectList",
        "datasetId", "observedAt", "unitCode", "createdAt", "modifiedAt", "deletedAt", "instanceId", "lang",
        "previousValue", "previousObject", "previousLanguageMap", "previousVocab", "previousJson",
        "previousValueList", "previousObjectList", "@context", "valueType", "expiresAt", "entityIdSealed",
        "entityTypeSealed",
    ]

    /// Entity members that are not attributes.
    static let entityMembers: Set<String> = ["id", "type", "scope", "@context", "createdAt", "modifiedAt", "deletedAt"]

    /// System-generated members: accepted on input and ignored.
    static let systemMembers: Set<String> = ["createdAt", "modifiedAt", "deletedAt", "instanceId"]

    /// Core terms that are not reified (4.5.1): never attribute names.
    static let nonReifiedTerms: Set<String> = reserved.subtracting(["@context"]).union([
        "https://uri.etsi.org/ngsi-ld/datasetId", "https://uri.etsi.org/ngsi-ld/instanceId",
        "https://uri.etsi.org/ngsi-ld/observedAt", "https://uri.etsi.org/ngsi-ld/unitCode",
        "https://uri.etsi.org/ngsi-ld/createdAt", "https://uri.etsi.org/ngsi-ld/modifiedAt",
        "https://uri.etsi.org/ngsi-ld/deletedAt",
    ])

    /// The members each kind admits besides `type` and its value member (4.5.2–4.5.24); every other
    /// NGSI-LD keyword on it is invalid content.
    static func metadata(of kind: AttributeKind) -> Set<String> {
        var members: Set<String> = ["observedAt", "datasetId"]
        switch kind {
        case .property, .listProperty: members.formUnion(["unitCode", "valueType"])
        case .geoProperty: members.formUnion(["unitCode", "valueType"])
        case .relationship, .listRelationship: members.insert("objectType")
        case .languageProperty, .vocabProperty, .jsonProperty: members.insert("valueType")
        }
        return members
    }

    /// Attribute names that are GeoProperties by definition (ETSI GS CIM 009, 4.7).
    static let geoPropertyNames: Set<String> = [
        "https://uri.etsi.org/ngsi-ld/location", "https://uri.etsi.org/ngsi-ld/observationSpace",
        "https://uri.etsi.org/ngsi-ld/operationSpace",
    ]

    static let geoJSONTypes: Set<String> = [
        "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    ]

    /// `rdf:langString`, the only valueType a LanguageProperty admits (Table 5.2.32-1).
    static let langStringNames: Set<String> = [
        "langString", "rdf:langString", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
        "https://uri.etsi.org/ngsi-ld/langString",
    ]
}
