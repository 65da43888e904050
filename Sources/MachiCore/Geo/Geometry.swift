/// A position in WGS 84: longitude, latitude (GeoJSON order), and an optional altitude.
///
/// The geometry predicates use longitude and latitude only; the altitude is kept so that a geometry is
/// written back (`Geometry.geoJSON`) the way it came in.
public struct Position: Sendable, Hashable {
    /// Degrees east, in [-180, 180].
    public var longitude: Double
    /// Degrees north, in [-90, 90].
    public var latitude: Double
    /// Metres above the WGS 84 ellipsoid, if given (the third number of a GeoJSON position).
    public var altitude: Double?

    /// Creates a position.
    public init(longitude: Double, latitude: Double, altitude: Double? = nil) {
        self.longitude = longitude
        self.latitude = latitude
        self.altitude = altitude
    }
}

/// A GeoJSON geometry (RFC 7946) as NGSI-LD uses it (every type but GeometryCollection).
///
/// Read one with `init(geoJSON:)` or `parse(geometry:coordinates:)`, both of which validate it; write it with
/// `geoJSON`. The topological predicates (`isWithin(_:)`, `contains(_:)`, `intersects(_:)`, …) treat
/// longitude/latitude as planar coordinates, as PostGIS does for `geometry`; distances are metres on a sphere.
public enum Geometry: Sendable, Hashable {
    /// One position.
    case point(Position)
    /// Positions.
    case multiPoint([Position])
    /// At least two positions.
    case lineString([Position])
    /// Line strings.
    case multiLineString([[Position]])
    /// Rings: the first is the exterior, the rest are holes. Each ring is closed (first == last).
    case polygon([[Position]])
    /// Polygons.
    case multiPolygon([[[Position]]])
}

/// A bounding box in degrees.
public struct BoundingBox: Sendable, Hashable {
    /// The west edge.
    public var minLongitude: Double
    /// The south edge.
    public var minLatitude: Double
    /// The east edge.
    public var maxLongitude: Double
    /// The north edge.
    public var maxLatitude: Double

    /// Creates a box.
    public init(minLongitude: Double, minLatitude: Double, maxLongitude: Double, maxLatitude: Double) {
        self.minLongitude = minLongitude
        self.minLatitude = minLatitude
        self.maxLongitude = maxLongitude
        self.maxLatitude = maxLatitude
    }
}

/// The geo-relationship of a geo-query (ETSI GS CIM 009 4.10).
public enum GeoRelation: Sendable, Hashable {
    /// `near;maxDistance==d` and/or `near;minDistance==d`, in metres.
    case near(maxDistance: Double?, minDistance: Double?)
    /// The target geometry is within the reference geometry.
    case within
    /// The target geometry contains the reference geometry.
    case contains
    /// The geometries share at least one point.
    case intersects
    /// The geometries are topologically equal.
    case equals
    /// The geometries share no point.
    case disjoint
    /// The geometries have the same dimension, their interiors intersect in that dimension, and neither
    /// contains the other.
    case overlaps
}

/// A geo-query: entities whose `geoproperty` stands in `relation` to `geometry`.
public struct GeoQuery: Sendable, Hashable {
    /// The relation the target geometry must stand in.
    public var relation: GeoRelation
    /// The reference geometry.
    public var geometry: Geometry
    /// The expanded name of the GeoProperty to test; `location` by default.
    public var geoproperty: String

    /// Creates a geo-query.
    public init(relation: GeoRelation, geometry: Geometry, geoproperty: String) {
        self.relation = relation
        self.geometry = geometry
        self.geoproperty = geoproperty
    }
}
