/// Where a position lies relative to a geometry (OGC Simple Features).
enum GeoLocation {
    case interior, boundary, exterior
}

/// Planar computational geometry on longitude/latitude, as PostGIS does for `geometry` (not `geography`):
/// segments are straight in degrees and the antimeridian is not special.
enum PlanarGeometry {
    /// Coordinates closer than this (degrees, about 0.1 µm) are the same.
    static let tolerance = 1e-12

    /// The side of `p` relative to the line `a`→`b`: 1 left, -1 right, 0 on it (within a relative tolerance).
    static func orientation(_ a: Position, _ b: Position, _ p: Position) -> Int {
        let abx = b.longitude - a.longitude
        let aby = b.latitude - a.latitude
        let apx = p.longitude - a.longitude
        let apy = p.latitude - a.latitude
        let cross = abx * apy - aby * apx
        let scale = (abs(abx) + abs(aby)) * (abs(apx) + abs(apy))
        if abs(cross) <= tolerance * scale { return 0 }
        return cross > 0 ? 1 : -1
    }

    static func sameLocation(_ a: Position, _ b: Position) -> Bool {
        abs(a.longitude - b.longitude) <= tolerance && abs(a.latitude - b.latitude) <= tolerance
    }

    /// Whether `p` lies in the bounding box of `a`–`b`.
    static func isInBox(_ p: Position, _ a: Position, _ b: Position) -> Bool {
        p.longitude >= min(a.longitude, b.longitude) - tolerance
            && p.longitude <= max(a.longitude, b.longitude) + tolerance
            && p.latitude >= min(a.latitude, b.latitude) - tolerance
            && p.latitude <= max(a.latitude, b.latitude) + tolerance
    }

    static func isOnSegment(_ p: Position, _ s: GeoSegment) -> Bool {
        isInBox(p, s.start, s.end) && orientation(s.start, s.end, p) == 0
    }

    /// The parameter of `p` (on the segment's line) along `s`, clamped to [0, 1].
    static func parameter(of p: Position, on s: GeoSegment) -> Double {
        let dx = s.end.longitude - s.start.longitude
        let dy = s.end.latitude - s.start.latitude
        let length = dx * dx + dy * dy
        guard length > 0 else { return 0 }
        let t = ((p.longitude - s.start.longitude) * dx + (p.latitude - s.start.latitude) * dy) / length
        return min(1, max(0, t))
    }

    /// The parameters along `s` where it meets `other`: none, one (a crossing or touch) or the two ends of a
    /// collinear overlap (possibly with duplicates).
    static func intersectionParameters(_ s: GeoSegment, _ other: GeoSegment) -> [Double] {
        guard s.mayTouch(other) else { return [] }
        let a = s.start
        let b = s.end
        let c = other.start
        let d = other.end
        let o1 = orientation(a, b, c)
        let o2 = orientation(a, b, d)
        let o3 = orientation(c, d, a)
        let o4 = orientation(c, d, b)
        if o1 * o2 < 0 && o3 * o4 < 0 {
            let rx = b.longitude - a.longitude
            let ry = b.latitude - a.latitude
            let sx = d.longitude - c.longitude
            let sy = d.latitude - c.latitude
            let denominator = rx * sy - ry * sx
            guard denominator != 0 else { return [] }
            let t = ((c.longitude - a.longitude) * sy - (c.latitude - a.latitude) * sx) / denominator
            return [min(1, max(0, t))]
        }
        var result: [Double] = []
        if o1 == 0 && isInBox(c, a, b) { result.append(parameter(of: c, on: s)) }
        if o2 == 0 && isInBox(d, a, b) { result.append(parameter(of: d, on: s)) }
        if o3 == 0 && isInBox(a, c, d) { result.append(0) }
        if o4 == 0 && isInBox(b, c, d) { result.append(1) }
        return result
    }

    static func intersects(_ s: GeoSegment, _ other: GeoSegment) -> Bool {
        !intersectionParameters(s, other).isEmpty
    }

    /// The midpoints of the pieces of `s` between the places where it meets any of `cuts`; along one piece, the
    /// location relative to the geometry the cuts bound cannot change.
    static func pieceMidpoints(of s: GeoSegment, cutBy cuts: [GeoSegment]) -> [Position] {
        var parameters: [Double] = [0, 1]
        for cut in cuts { parameters.append(contentsOf: intersectionParameters(s, cut)) }
        parameters.sort()
        var midpoints: [Position] = []
        for i in 1..<parameters.count where parameters[i] - parameters[i - 1] > tolerance {
            midpoints.append(s.at((parameters[i] + parameters[i - 1]) / 2))
        }
        if midpoints.isEmpty { midpoints.append(s.at(0.5)) }
        return midpoints
    }

    /// Whether `p` is inside the closed ring by the even-odd rule (boundary handled by the caller).
    static func ringContains(_ ring: [Position], _ p: Position) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i]
            let b = ring[j]
            if (a.latitude > p.latitude) != (b.latitude > p.latitude) {
                let x =
                    (b.longitude - a.longitude) * (p.latitude - a.latitude) / (b.latitude - a.latitude) + a.longitude
                if p.longitude < x { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// Where `p` lies relative to one polygon (exterior ring, then holes).
    static func locate(_ p: Position, inPolygon rings: [[Position]]) -> GeoLocation {
        for ring in rings where GeoSegment.segments(of: ring).contains(where: { isOnSegment(p, $0) }) {
            return .boundary
        }
        guard let shell = rings.first, ringContains(shell, p) else { return .exterior }
        return rings.dropFirst().contains { ringContains($0, p) } ? .exterior : .interior
    }

    /// Where `p` lies relative to `geometry`.
    static func locate(_ p: Position, in geometry: Geometry) -> GeoLocation {
        switch geometry.dimension {
        case 0:
            return geometry.points.contains { sameLocation($0, p) } ? .interior : .exterior
        case 1:
            var result = GeoLocation.exterior
            for line in geometry.paths where !line.isEmpty {
                let closed = line.count > 1 && sameLocation(line[0], line[line.count - 1])
                if !closed && (sameLocation(line[0], p) || sameLocation(line[line.count - 1], p)) {
                    result = .boundary
                } else if GeoSegment.segments(of: line).contains(where: { isOnSegment(p, $0) }) {
                    return .interior
                }
            }
            return result
        default:
            var result = GeoLocation.exterior
            for polygon in geometry.polygons {
                switch locate(p, inPolygon: polygon) {
                case .interior: return .interior
                case .boundary: result = .boundary
                case .exterior: break
                }
            }
            return result
        }
    }

    /// A position strictly inside the polygon, or `nil` if it has no area: the middle of the widest interior
    /// interval on a horizontal line that passes no vertex.
    static func interiorPoint(of rings: [[Position]]) -> Position? {
        let latitudes = Set(rings.flatMap { $0.map(\.latitude) }).sorted()
        guard latitudes.count > 1 else { return nil }
        var gap = 0
        for i in 1..<latitudes.count - 1 where latitudes[i + 1] - latitudes[i] > latitudes[gap + 1] - latitudes[gap] {
            gap = i
        }
        let y = (latitudes[gap] + latitudes[gap + 1]) / 2
        var crossings: [Double] = []
        for ring in rings {
            for s in GeoSegment.segments(of: ring) where (s.start.latitude > y) != (s.end.latitude > y) {
                let t = (y - s.start.latitude) / (s.end.latitude - s.start.latitude)
                crossings.append(s.start.longitude + t * (s.end.longitude - s.start.longitude))
            }
        }
        crossings.sort()
        var best: (width: Double, x: Double)?
        var i = 0
        while i + 1 < crossings.count {
            let width = crossings[i + 1] - crossings[i]
            if width > (best?.width ?? tolerance) { best = (width, (crossings[i] + crossings[i + 1]) / 2) }
            i += 2
        }
        return best.map { Position(longitude: $0.x, latitude: y) }
    }
}
