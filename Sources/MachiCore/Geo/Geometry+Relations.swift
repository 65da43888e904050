/// The OGC Simple Features relations (DE-9IM, as PostGIS computes them for `geometry`), planar on
/// longitude/latitude. Boundaries follow OGC: a point has none, a line's are its end points, a polygon's its rings.
extension Geometry {
    /// Whether the geometries share at least one point.
    public func intersects(_ other: Geometry) -> Bool {
        guard boundingBox.intersects(other.boundingBox) else { return false }
        if vertices.contains(where: { PlanarGeometry.locate($0, in: other) != .exterior }) { return true }
        if other.vertices.contains(where: { PlanarGeometry.locate($0, in: self) != .exterior }) { return true }
        let theirs = other.segments
        return segments.contains { s in theirs.contains { PlanarGeometry.intersects(s, $0) } }
    }

    /// Whether the geometries share no point.
    public func isDisjoint(with other: Geometry) -> Bool { !intersects(other) }

    /// Whether every point of this geometry is in `other` and their interiors meet (so a point on a polygon's
    /// ring is not within it).
    public func isWithin(_ other: Geometry) -> Bool {
        guard isCovered(by: other) else { return false }
        switch dimension {
        case 0:
            return points.contains { PlanarGeometry.locate($0, in: other) == .interior }
        case 1:
            let cuts = other.segments
            return segments.contains { s in
                PlanarGeometry.pieceMidpoints(of: s, cutBy: cuts).contains {
                    PlanarGeometry.locate($0, in: other) == .interior
                }
            }
        default:
            return true
        }
    }

    /// Whether `other` is within this geometry.
    public func contains(_ other: Geometry) -> Bool { other.isWithin(self) }

    /// Whether the geometries are topologically equal: the same point set, whatever the vertices. Identical
    /// geometries are equal even when they are not simple (a self-intersecting ring), where the point-set test
    /// cannot decide.
    public func topologicallyEquals(_ other: Geometry) -> Bool {
        if self == other { return true }
        return dimension == other.dimension && isCovered(by: other) && other.isCovered(by: self)
    }

    /// Whether the geometries have the same dimension, their interiors share a part of that dimension, and
    /// neither covers the other.
    public func overlaps(_ other: Geometry) -> Bool {
        guard dimension == other.dimension, boundingBox.intersects(other.boundingBox),
            !isCovered(by: other), !other.isCovered(by: self)
        else { return false }
        switch dimension {
        case 0:
            return points.contains { p in other.points.contains { PlanarGeometry.sameLocation(p, $0) } }
        case 1:
            let cuts = other.segments
            return segments.contains { s in
                PlanarGeometry.pieceMidpoints(of: s, cutBy: cuts).contains {
                    PlanarGeometry.locate($0, in: other) == .interior
                }
            }
        default:
            return interiorsIntersect(other) || other.interiorsIntersect(self)
        }
    }

    /// For polygons: whether a ring of this geometry, or an inner point of it, lies in the interior of `other`.
    private func interiorsIntersect(_ other: Geometry) -> Bool {
        let cuts = other.segments
        for s in segments {
            for m in PlanarGeometry.pieceMidpoints(of: s, cutBy: cuts)
            where PlanarGeometry.locate(m, in: other) == .interior {
                return true
            }
        }
        return polygons.contains { rings in
            PlanarGeometry.interiorPoint(of: rings).map { PlanarGeometry.locate($0, in: other) == .interior } ?? false
        }
    }

    /// Whether every point of this geometry lies in `other`, boundary included.
    func isCovered(by other: Geometry) -> Bool {
        guard dimension <= other.dimension, other.boundingBox.contains(boundingBox) else { return false }
        if vertices.contains(where: { PlanarGeometry.locate($0, in: other) == .exterior }) { return false }
        guard dimension > 0 else { return true }
        let cuts = other.segments
        for s in segments {
            for m in PlanarGeometry.pieceMidpoints(of: s, cutBy: cuts)
            where PlanarGeometry.locate(m, in: other) == .exterior {
                return false
            }
        }
        guard dimension == 2 else { return true }
        for rings in polygons {
            // No ring of `other` may pass through this polygon's interior…
            let polygon = Geometry.polygon(rings)
            let ownCuts = polygon.segments
            for s in cuts {
                for m in PlanarGeometry.pieceMidpoints(of: s, cutBy: ownCuts)
                where PlanarGeometry.locate(m, inPolygon: rings) == .interior {
                    return false
                }
            }
            // …and its interior must not be a hole of `other`.
            if let inner = PlanarGeometry.interiorPoint(of: rings), PlanarGeometry.locate(inner, in: other) == .exterior
            {
                return false
            }
        }
        return true
    }
}
