import Foundation

extension Position {
    /// The mean Earth radius (IUGG), in metres.
    public static let earthRadius = 6_371_008.8

    /// The great-circle (haversine) distance to `other`, in metres.
    public func distance(to other: Position) -> Double {
        let lat1 = latitude * .pi / 180
        let lat2 = other.latitude * .pi / 180
        let dLat = lat2 - lat1
        let dLon = Position.wrapped(other.longitude - longitude) * .pi / 180
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1) * cos(lat2) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * Position.earthRadius * asin(min(1, sqrt(a)))
    }

    /// The distance to the nearest point of a segment, in metres. The nearest point is found in a local
    /// equirectangular projection around this position, then measured with the haversine formula.
    func distance(to segment: GeoSegment) -> Double {
        let scale = cos(latitude * .pi / 180)
        let ax = Position.wrapped(segment.start.longitude - longitude)
        let bx = Position.wrapped(segment.end.longitude - longitude)
        let ay = segment.start.latitude - latitude
        let by = segment.end.latitude - latitude
        let dx = (bx - ax) * scale
        let dy = by - ay
        let length = dx * dx + dy * dy
        let t = length > 0 ? min(1, max(0, -(ax * scale * dx + ay * dy) / length)) : 0
        return distance(
            to: Position(longitude: longitude + ax + t * (bx - ax), latitude: segment.start.latitude + t * (by - ay))
        )
    }

    /// A longitude difference in [-180, 180].
    static func wrapped(_ degrees: Double) -> Double {
        var d = degrees.truncatingRemainder(dividingBy: 360)
        if d > 180 { d -= 360 } else if d < -180 { d += 360 }
        return d
    }
}

extension Geometry {
    /// The shortest distance between the geometries, in metres: 0 when they intersect (a point inside a polygon,
    /// outside its holes, is at 0), otherwise the least distance from a vertex of one to the other.
    public func distance(to other: Geometry) -> Double {
        if case .point(let p) = self, case .point(let q) = other { return p.distance(to: q) }
        if intersects(other) { return 0 }
        var best = Double.infinity
        for v in vertices { best = min(best, Geometry.distance(from: v, to: other)) }
        for v in other.vertices { best = min(best, Geometry.distance(from: v, to: self)) }
        return best
    }

    /// The distance from `p` to the points, lines or rings of `geometry`.
    private static func distance(from p: Position, to geometry: Geometry) -> Double {
        var best = Double.infinity
        for q in geometry.points { best = min(best, p.distance(to: q)) }
        for s in geometry.segments { best = min(best, p.distance(to: s)) }
        return best
    }
}
