import MachiCore

/// Places in and around ShiojiriPlaces, Nagano (coordinates rounded; the relations are checked against these values).
enum ShiojiriPlaces {
    static func p(_ longitude: Double, _ latitude: Double) -> Position {
        Position(longitude: longitude, latitude: latitude)
    }

    static func rectangle(_ west: Double, _ south: Double, _ east: Double, _ north: Double) -> [Position] {
        [p(west, south), p(east, south), p(east, north), p(west, north), p(west, south)]
    }

    /// ShiojiriPlaces Station.
    static let station = Geometry.point(p(137.9533, 36.1153))
    /// Narai-juku, the post town in the south of the city.
    static let narai = Geometry.point(p(137.8122, 35.9672))
    /// Shinshu Matsumoto Airport, just north of the city.
    static let airport = Geometry.point(p(137.9228, 36.1668))
    /// A point on the west edge of `central`.
    static let westEdge = Geometry.point(p(137.94, 36.11))

    /// Central ShiojiriPlaces.
    static let central = Geometry.polygon([rectangle(137.94, 36.10, 137.97, 36.13)])
    /// The same area, drawn from another corner and clockwise.
    static let centralRedrawn = Geometry.polygon([
        [
            p(137.97, 36.13), p(137.97, 36.10), p(137.94, 36.10), p(137.94, 36.13), p(137.97, 36.13),
        ]
    ])
    /// Central ShiojiriPlaces without the station precinct (a hole around the station).
    static let centralWithoutStation = Geometry.polygon([
        rectangle(137.94, 36.10, 137.97, 36.13), rectangle(137.950, 36.112, 137.957, 36.118),
    ])
    /// The station precinct itself.
    static let precinct = Geometry.polygon([rectangle(137.950, 36.112, 137.957, 36.118)])
    /// The Daimon shopping streets, inside `central` and clear of the precinct.
    static let daimon = Geometry.polygon([rectangle(137.958, 36.115, 137.965, 36.120)])
    /// An area east of the station that reaches outside `central`.
    static let east = Geometry.polygon([rectangle(137.955, 36.09, 137.99, 36.12)])
    /// Central ShiojiriPlaces and Narai-juku as one multipolygon.
    static let centralAndNarai = Geometry.multiPolygon([
        [rectangle(137.94, 36.10, 137.97, 36.13)], [rectangle(137.80, 35.96, 137.82, 35.97)],
    ])

    /// An east-west line along the station's latitude, through and beyond `central`.
    static let railway = Geometry.lineString([p(137.93, 36.1153), p(137.98, 36.1153)])
    /// The same line with an extra vertex at the station, drawn the other way.
    static let railwayRedrawn = Geometry.lineString([p(137.98, 36.1153), p(137.9533, 36.1153), p(137.93, 36.1153)])
    /// A short street inside `central`, outside the precinct.
    static let street = Geometry.lineString([p(137.945, 36.105), p(137.948, 36.108)])
    /// The south edge of `central`.
    static let southEdge = Geometry.lineString([p(137.94, 36.10), p(137.97, 36.10)])
    /// The west part of `railway` and a line that shares only its east part.
    static let railwayWest = Geometry.lineString([p(137.93, 36.1153), p(137.96, 36.1153)])
    static let railwayEast = Geometry.lineString([p(137.95, 36.1153), p(137.99, 36.1153)])
    /// A north-south road crossing the railway at one point.
    static let road = Geometry.lineString([p(137.96, 36.10), p(137.96, 36.13)])

    static let stationAndNarai = Geometry.multiPoint([p(137.9533, 36.1153), p(137.8122, 35.9672)])
    static let stationAndAirport = Geometry.multiPoint([p(137.9533, 36.1153), p(137.9228, 36.1668)])
}
