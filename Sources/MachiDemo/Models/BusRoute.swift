/// A bus stop (Smart Data Models `GtfsStop`).
public struct BusStop: Sendable, Hashable {
    /// Local id, e.g. `stop-shiojiri-station`.
    public var id: String
    /// GTFS `stop_code`.
    public var code: String
    /// Display name.
    public var name: String
    /// Where the stop is.
    public var location: GeoPoint

    /// Creates a stop.
    public init(id: String, code: String, name: String, location: GeoPoint) {
        self.id = id
        self.code = code
        self.name = name
        self.location = location
    }
}

/// A circular bus route (Smart Data Models `GtfsRoute`): a closed path through waypoints, some of them stops.
public struct BusRoute: Sendable, Hashable {
    /// A point of the path; `stop` is set where the bus halts.
    public struct Waypoint: Sendable, Hashable {
        /// The position.
        public var point: GeoPoint
        /// The stop at this point, if any.
        public var stop: BusStop?

        /// A waypoint without a stop.
        public static func via(_ longitude: Double, _ latitude: Double) -> Waypoint {
            Waypoint(point: GeoPoint(longitude: longitude, latitude: latitude), stop: nil)
        }

        /// A stop.
        public static func stop(_ stop: BusStop) -> Waypoint {
            Waypoint(point: stop.location, stop: stop)
        }
    }

    /// Local id, e.g. `route-1`.
    public var id: String
    /// GTFS `route_short_name`.
    public var shortName: String
    /// GTFS `route_long_name`.
    public var name: String
    /// GTFS `route_color` (hex without `#`).
    public var color: String
    /// The path in travel order; the bus returns from the last to the first waypoint.
    public var waypoints: [Waypoint]

    /// Creates a route.
    public init(id: String, shortName: String, name: String, color: String, waypoints: [Waypoint]) {
        precondition(waypoints.count >= 2, "a route needs at least two waypoints")
        self.id = id
        self.shortName = shortName
        self.name = name
        self.color = color
        self.waypoints = waypoints
    }

    /// The stops in travel order.
    public var stops: [BusStop] { self.waypoints.compactMap(\.stop) }

    /// The closed path.
    public var polyline: Polyline { Polyline(self.waypoints.map(\.point), closed: true) }
}
