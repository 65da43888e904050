/// Where a bus is and how it moves (Smart Data Models `Vehicle` attributes).
public struct BusPosition: Sendable, Hashable {
    /// Position on the route.
    public var location: GeoPoint
    /// Speed in km/h (0 while halted at a stop).
    public var speed: Double
    /// Direction of travel, degrees clockwise from north.
    public var bearing: Double
    /// The stop the bus is halted at, if any.
    public var stop: BusStop?
}

/// Buses drive round their route at a cruising speed and halt at every stop; a pure function of time.
public struct BusModel: Sendable {
    private enum Leg: Sendable {
        case halt(distance: Double, stop: BusStop)
        case drive(from: Double, to: Double)
    }

    /// The route driven.
    public let route: BusRoute
    /// Cruising speed in km/h.
    public let cruiseSpeed: Double
    /// Seconds halted at each stop.
    public let dwell: Double
    /// Seconds for one round.
    public let roundDuration: Double
    private let path: Polyline
    private let legs: [(start: Double, leg: Leg)]

    /// Creates the timetable of a route.
    public init(route: BusRoute, cruiseSpeed: Double = 30, dwell: Double = 20) {
        precondition(cruiseSpeed > 0)
        let path = route.polyline
        let metresPerSecond = cruiseSpeed / 3.6
        var legs: [(start: Double, leg: Leg)] = []
        var clock = 0.0
        for (index, waypoint) in route.waypoints.enumerated() {
            let here = path.cumulative[index]
            if let stop = waypoint.stop {
                legs.append((clock, .halt(distance: here, stop: stop)))
                clock += dwell
            }
            let next = path.cumulative[index + 1]
            if next > here {
                legs.append((clock, .drive(from: here, to: next)))
                clock += (next - here) / metresPerSecond
            }
        }
        self.route = route
        self.cruiseSpeed = cruiseSpeed
        self.dwell = dwell
        self.roundDuration = clock
        self.path = path
        self.legs = legs
    }

    /// The position at scenario time `t` of a bus that started `offset` (a fraction 0..<1 of a round) ahead.
    public func position(at t: Double, offset: Double = 0) -> BusPosition {
        var c = (t + offset * self.roundDuration).truncatingRemainder(dividingBy: self.roundDuration)
        if c < 0 { c += self.roundDuration }
        // The last leg that started at or before `c`.
        var low = 0
        var high = self.legs.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if self.legs[mid].start <= c { low = mid } else { high = mid - 1 }
        }
        let (start, leg) = self.legs[low]
        switch leg {
        case .halt(let distance, let stop):
            let (_, bearing) = self.path.position(at: distance)
            return BusPosition(location: stop.location, speed: 0, bearing: bearing, stop: stop)
        case .drive(let from, let to):
            let distance = min(to, from + (c - start) * self.cruiseSpeed / 3.6)
            let (point, bearing) = self.path.position(at: distance)
            return BusPosition(location: point, speed: self.cruiseSpeed, bearing: bearing, stop: nil)
        }
    }
}
