extension Geometry {
    /// The bounding box of all positions.
    public var boundingBox: BoundingBox {
        var box = BoundingBox(
            minLongitude: .infinity,
            minLatitude: .infinity,
            maxLongitude: -.infinity,
            maxLatitude: -.infinity
        )
        forEachVertex { p in
            box.minLongitude = min(box.minLongitude, p.longitude)
            box.minLatitude = min(box.minLatitude, p.latitude)
            box.maxLongitude = max(box.maxLongitude, p.longitude)
            box.maxLatitude = max(box.maxLatitude, p.latitude)
        }
        return box
    }

    /// 0 for points, 1 for lines, 2 for polygons.
    var dimension: Int {
        switch self {
        case .point, .multiPoint: 0
        case .lineString, .multiLineString: 1
        case .polygon, .multiPolygon: 2
        }
    }

    /// The positions of a point geometry.
    var points: [Position] {
        switch self {
        case .point(let p): [p]
        case .multiPoint(let ps): ps
        default: []
        }
    }

    /// The line strings of a line geometry, or the rings of a polygon geometry.
    var paths: [[Position]] {
        switch self {
        case .point, .multiPoint: []
        case .lineString(let line): [line]
        case .multiLineString(let lines), .polygon(let lines): lines
        case .multiPolygon(let polygons): polygons.flatMap { $0 }
        }
    }

    /// The polygons (each its rings) of a polygon geometry.
    var polygons: [[[Position]]] {
        switch self {
        case .polygon(let rings): [rings]
        case .multiPolygon(let polygons): polygons
        default: []
        }
    }

    /// Every position.
    var vertices: [Position] { points + paths.flatMap { $0 } }

    /// The segments of the lines, or of the polygon rings.
    var segments: [GeoSegment] { paths.flatMap(GeoSegment.segments(of:)) }

    func forEachVertex(_ body: (Position) -> Void) {
        points.forEach(body)
        for path in paths { path.forEach(body) }
    }
}

extension BoundingBox {
    /// Whether the boxes share a point (edges included).
    public func intersects(_ other: BoundingBox) -> Bool {
        minLongitude <= other.maxLongitude + PlanarGeometry.tolerance
            && other.minLongitude <= maxLongitude + PlanarGeometry.tolerance
            && minLatitude <= other.maxLatitude + PlanarGeometry.tolerance
            && other.minLatitude <= maxLatitude + PlanarGeometry.tolerance
    }

    /// Whether `other` lies inside this box (edges included).
    public func contains(_ other: BoundingBox) -> Bool {
        minLongitude <= other.minLongitude + PlanarGeometry.tolerance
            && other.maxLongitude <= maxLongitude + PlanarGeometry.tolerance
            && minLatitude <= other.minLatitude + PlanarGeometry.tolerance
            && other.maxLatitude <= maxLatitude + PlanarGeometry.tolerance
    }
}

/// A straight segment between two positions, planar in longitude/latitude.
struct GeoSegment {
    var start: Position
    var end: Position

    static func segments(of path: [Position]) -> [GeoSegment] {
        guard path.count > 1 else { return [] }
        return (1..<path.count).map { GeoSegment(start: path[$0 - 1], end: path[$0]) }
    }

    var minLongitude: Double { min(start.longitude, end.longitude) }
    var maxLongitude: Double { max(start.longitude, end.longitude) }
    var minLatitude: Double { min(start.latitude, end.latitude) }
    var maxLatitude: Double { max(start.latitude, end.latitude) }

    func mayTouch(_ other: GeoSegment) -> Bool {
        let t = PlanarGeometry.tolerance
        return minLongitude <= other.maxLongitude + t && other.minLongitude <= maxLongitude + t
            && minLatitude <= other.maxLatitude + t && other.minLatitude <= maxLatitude + t
    }

    /// The position at parameter `t` (0 is `start`, 1 is `end`).
    func at(_ t: Double) -> Position {
        Position(
            longitude: start.longitude + t * (end.longitude - start.longitude),
            latitude: start.latitude + t * (end.latitude - start.latitude)
        )
    }
}
