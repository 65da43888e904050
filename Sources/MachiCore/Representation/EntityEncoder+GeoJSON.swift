import OrderedCollections

extension EntityEncoder {
    /// The entity as a GeoJSON Feature (`Accept: application/geo+json`, ETSI GS CIM 009 4.5.16): the value of the
    /// `geoproperty`'s default instance as `geometry` (`null` when the entity lacks it or it is not a GeoJSON
    /// geometry), the rest of the entity, without `id`, under `properties`.
    public func feature(_ entity: Entity, geoproperty: String, linked: [String: Entity] = [:]) -> JSON {
        var properties = encode(entity, linked: linked)
        properties["id"] = nil
        var feature = JSONObject()
        feature["id"] = .string(entity.id)
        feature["type"] = "Feature"
        feature["geometry"] = Self.geometry(of: entity, geoproperty)
        feature["properties"] = .object(properties)
        return .object(feature)
    }

    /// Entities as a GeoJSON FeatureCollection.
    public func featureCollection(
        _ entities: [Entity],
        geoproperty: String,
        linked: [String: Entity] = [:]
    ) -> JSON {
        [
            "type": "FeatureCollection",
            "features": .array(entities.map { feature($0, geoproperty: geoproperty, linked: linked) }),
        ]
    }

    /// The GeoJSON geometry of an entity's GeoProperty (its default instance), or `null`.
    static func geometry(of entity: Entity, _ geoproperty: String) -> JSON {
        guard let attribute = entity.attribute(geoproperty), let value = attribute.members["value"],
            let type = value["type"]?.stringValue, AttributeMembers.geoJSONTypes.contains(type),
            value["coordinates"] != nil
        else { return .null }
        return value
    }
}
