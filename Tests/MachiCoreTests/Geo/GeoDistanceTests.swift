import MachiCore
import Testing

struct GeoDistanceTests {
    typealias S = ShiojiriPlaces

    @Test func tokyoStationToShinOsakaIsAbout403Kilometres() {
        let tokyo = Position(longitude: 139.7671, latitude: 35.6812)
        let shinOsaka = Position(longitude: 135.5002, latitude: 34.7334)
        let metres = tokyo.distance(to: shinOsaka)
        #expect(abs(metres - 403_000) / 403_000 < 0.005)
        #expect(shinOsaka.distance(to: tokyo) == metres)
    }

    static let cases: [(String, Geometry, Geometry, ClosedRange<Double>)] = [
        ("station to airport", S.station, S.airport, 6_340...6_355),
        ("station to Narai-juku", S.station, S.narai, 20_780...20_795),
        ("station to itself", S.station, S.station, 0...0),
        ("station inside central", S.station, S.central, 0...0),
        ("station in the precinct hole: 296 m to its west edge", S.station, S.centralWithoutStation, 290...300),
        ("airport to central: its north-west corner", S.airport, S.central, 4_365...4_385),
        ("Daimon to the precinct: 0.001° of longitude", S.daimon, S.precinct, 85...95),
        (
            "a point 0.009° north of a line along 60°N", .point(S.p(10, 60.009)),
            .lineString([S.p(0, 60), S.p(10, 60)]), 995...1_005
        ),
        (
            "lat 61 line from the same point", .point(S.p(10, 60.009)), .lineString([S.p(0, 61), S.p(10, 61)]),
            109_000...111_000
        ),
        (
            "high latitude: the longitude end is nearer", .point(S.p(0, 85)), .lineString([S.p(1, 85), S.p(0, 85.6)]),
            9_000...9_700
        ),
        ("across the antimeridian", .point(S.p(179.9, 0)), .point(S.p(-179.9, 0)), 22_230...22_250),
    ]

    @Test(arguments: cases)
    func distance(_ name: String, _ a: Geometry, _ b: Geometry, _ expected: ClosedRange<Double>) {
        let metres = a.distance(to: b)
        #expect(expected.contains(metres), "\(name): \(metres) m")
        #expect(abs(b.distance(to: a) - metres) < 1, "\(name) is symmetric")
    }
}
