import OrderedCollections

extension EntityEncoder {
    /// The entity as a GeoJSON Feature (`Accept: application/geo+json`): the `geoproperty`'s value as `geometry`,
    /// the rest of the entity under `properties`.
    public func feature(_ entity: Entity, geoproperty: String) -> JSON {
        var properties = encode(entity)
        properties["id"] = nil
        let geometry = entity.attribute(geoproperty)?.value ?? .null
        var feature = JSONObject()
        feature["id"] = .string(entity.id)
        feature["type"] = "Feature"
        feature["geometry"] = geometry
        feature["properties"] = .object(properties)
        return .object(feature)
    }

    /// Entities as a GeoJSON FeatureCollection.
    public func featureCollection(_ entities: [Entity], geoproperty: String) -> JSON {
        ["type": "FeatureCollection", "features": .array(entities.map { feature($0, geoproperty: geoproperty) })]
    }
}
