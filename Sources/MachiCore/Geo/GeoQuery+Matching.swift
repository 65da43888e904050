import OrderedCollections

extension GeoRelation {
    /// Whether a target geometry (an entity's GeoProperty) stands in this relation to the reference geometry.
    ///
    /// `near;maxDistance==d` holds when the distance is at most `d` metres, `near;minDistance==d` when it is at
    /// least `d`; any reference geometry works (4.10 speaks of its buffer). `within`: the target is within the
    /// reference; `contains`: the target contains the reference.
    public func holds(target: Geometry, reference: Geometry) -> Bool {
        switch self {
        case .near(let maxDistance, let minDistance):
            let distance = target.distance(to: reference)
            return distance <= (maxDistance ?? .infinity) && distance >= (minDistance ?? 0)
        case .within: return target.isWithin(reference)
        case .contains: return target.contains(reference)
        case .intersects: return target.intersects(reference)
        case .equals: return target.topologicallyEquals(reference)
        case .disjoint: return target.isDisjoint(with: reference)
        case .overlaps: return target.overlaps(reference)
        }
    }
}

extension GeoQuery {
    /// Whether some instance of the entity's `geoproperty` (a valid GeoJSON value) stands in `relation` to
    /// `geometry`. An entity without that GeoProperty does not match (4.10).
    public func matches(_ entity: Entity) -> Bool {
        for instance in entity.attributes[geoproperty] ?? [] {
            guard let value = instance.members["value"], let target = try? Geometry(geoJSON: value) else { continue }
            if relation.holds(target: target, reference: geometry) { return true }
        }
        return false
    }
}
