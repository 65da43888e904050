import OrderedCollections

/// Member names of attributes that are NGSI-LD keywords, not sub-attributes: never expanded or compacted.
enum AttributeMembers {
    static let reserved: Set<String> = [
        "type", "value", "object", "objectType", "languageMap", "vocab", "json", "valueList", "objectList",
        "datasetId", "observedAt", "unitCode", "createdAt", "modifiedAt", "deletedAt", "instanceId", "lang",
        "previousValue", "previousObject", "previousLanguageMap", "previousVocab", "previousJson",
        "previousValueList", "previousObjectList", "@context",
    ]

    /// Entity members that are not attributes.
    static let entityMembers: Set<String> = ["id", "type", "scope", "@context", "createdAt", "modifiedAt", "deletedAt"]

    /// System-generated members: accepted on input and ignored.
    static let systemMembers: Set<String> = ["createdAt", "modifiedAt", "deletedAt", "instanceId"]

    /// Attribute names that are GeoProperties by definition (ETSI GS CIM 009, 4.7).
    static let geoPropertyNames: Set<String> = [
        "https://uri.etsi.org/ngsi-ld/location", "https://uri.etsi.org/ngsi-ld/observationSpace",
        "https://uri.etsi.org/ngsi-ld/operationSpace",
    ]

    static let geoJSONTypes: Set<String> = [
        "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    ]
}
