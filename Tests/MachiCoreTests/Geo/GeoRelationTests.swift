import MachiCore
import Testing

struct GeoRelationTests {
    typealias S = ShiojiriPlaces

    static let cases: [(String, Geometry, GeoRelation, Geometry, Bool)] = [
        ("station within central", S.station, .within, S.central, true),
        (
            "station within central without the precinct (in the hole)", S.station, .within, S.centralWithoutStation,
            false
        ),
        ("point on the edge is not within", S.westEdge, .within, S.central, false),
        ("Narai within central", S.narai, .within, S.central, false),
        ("Narai within the multipolygon", S.narai, .within, S.centralAndNarai, true),
        ("airport within the multipolygon", S.airport, .within, S.centralAndNarai, false),
        ("station within the multipolygon", S.station, .within, S.centralAndNarai, true),
        ("Daimon within central", S.daimon, .within, S.central, true),
        ("Daimon within central without the precinct", S.daimon, .within, S.centralWithoutStation, true),
        ("central within itself", S.central, .within, S.centralRedrawn, true),
        ("central within Daimon", S.central, .within, S.daimon, false),
        ("central within central without the precinct", S.central, .within, S.centralWithoutStation, false),
        ("the precinct within the area that has it as a hole", S.precinct, .within, S.centralWithoutStation, false),
        ("street within central", S.street, .within, S.central, true),
        ("street within central without the precinct", S.street, .within, S.centralWithoutStation, true),
        ("south edge within central", S.southEdge, .within, S.central, false),
        ("railway within central", S.railway, .within, S.central, false),
        ("station within the railway", S.station, .within, S.railway, true),
        ("station within itself", S.station, .within, S.station, true),
        ("central contains the station", S.central, .contains, S.station, true),
        ("central without the precinct contains the station", S.centralWithoutStation, .contains, S.station, false),
        ("central contains Daimon", S.central, .contains, S.daimon, true),
        ("Daimon contains central", S.daimon, .contains, S.central, false),
        ("central contains the railway", S.central, .contains, S.railway, false),
        ("railway contains the station", S.railway, .contains, S.station, true),
        ("two stations contain one", S.stationAndNarai, .contains, S.station, true),
        ("railway intersects central", S.railway, .intersects, S.central, true),
        ("Narai intersects central", S.narai, .intersects, S.central, false),
        ("east intersects central", S.east, .intersects, S.central, true),
        ("south edge intersects central", S.southEdge, .intersects, S.central, true),
        ("station intersects the holed area", S.station, .intersects, S.centralWithoutStation, false),
        ("precinct intersects the holed area (shared ring)", S.precinct, .intersects, S.centralWithoutStation, true),
        ("road intersects railway", S.road, .intersects, S.railway, true),
        ("airport intersects the railway", S.airport, .intersects, S.railway, false),
        ("Narai disjoint from central", S.narai, .disjoint, S.central, true),
        ("railway disjoint from central", S.railway, .disjoint, S.central, false),
        ("Daimon disjoint from the precinct", S.daimon, .disjoint, S.precinct, true),
        ("central equals it redrawn", S.central, .equals, S.centralRedrawn, true),
        ("central equals the holed area", S.central, .equals, S.centralWithoutStation, false),
        ("station equals its position", S.station, .equals, .point(S.p(137.9533, 36.1153)), true),
        ("station equals Narai", S.station, .equals, S.narai, false),
        ("railway equals it redrawn", S.railway, .equals, S.railwayRedrawn, true),
        ("railway equals its west part", S.railway, .equals, S.railwayWest, false),
        ("east overlaps central", S.east, .overlaps, S.central, true),
        ("Daimon overlaps central", S.daimon, .overlaps, S.central, false),
        ("central overlaps itself", S.central, .overlaps, S.centralRedrawn, false),
        ("station overlaps central (dimensions differ)", S.station, .overlaps, S.central, false),
        ("two point sets sharing the station overlap", S.stationAndNarai, .overlaps, S.stationAndAirport, true),
        ("railway halves sharing a stretch overlap", S.railwayWest, .overlaps, S.railwayEast, true),
        ("crossing lines do not overlap", S.road, .overlaps, S.railway, false),
        ("the precinct overlaps the holed area", S.precinct, .overlaps, S.centralWithoutStation, false),
        ("central overlaps the holed area", S.central, .overlaps, S.centralWithoutStation, false),
        ("near 7 km: station and airport", S.station, .near(maxDistance: 7_000, minDistance: nil), S.airport, true),
        ("near 6 km: station and airport", S.station, .near(maxDistance: 6_000, minDistance: nil), S.airport, false),
        ("at least 6 km: station and airport", S.station, .near(maxDistance: nil, minDistance: 6_000), S.airport, true),
        ("between 6 and 7 km", S.station, .near(maxDistance: 7_000, minDistance: 6_000), S.airport, true),
        (
            "airport near central (corner 4.4 km)", S.airport, .near(maxDistance: 5_000, minDistance: nil), S.central,
            true
        ),
        ("Narai at least 10 km from central", S.narai, .near(maxDistance: nil, minDistance: 10_000), S.central, true),
        ("station in central is 0 m from it", S.station, .near(maxDistance: 1, minDistance: nil), S.central, true),
    ]

    @Test(arguments: cases)
    func relationHolds(
        _ name: String,
        _ target: Geometry,
        _ relation: GeoRelation,
        _ reference: Geometry,
        _ expected: Bool
    ) {
        #expect(relation.holds(target: target, reference: reference) == expected, "\(name)")
    }

    @Test func boundingBox() {
        #expect(
            S.centralAndNarai.boundingBox
                == BoundingBox(minLongitude: 137.80, minLatitude: 35.96, maxLongitude: 137.97, maxLatitude: 36.13)
        )
        #expect(S.station.boundingBox.intersects(S.central.boundingBox))
        #expect(!S.narai.boundingBox.intersects(S.central.boundingBox))
        #expect(S.central.boundingBox.contains(S.daimon.boundingBox))
    }
}

struct DegenerateGeometryTests {
    static let degenerate: [Geometry] = [
        .multiPoint([]), .lineString([]), .lineString([Position(longitude: 1, latitude: 1)]), .multiLineString([[]]),
        .polygon([]), .polygon([[]]), .polygon([[Position(longitude: 1, latitude: 1)]]), .multiPolygon([[]]),
        .polygon([Array(repeating: Position(longitude: 2, latitude: 2), count: 4)]),
    ]

    /// Geometries built in code skip `init(geoJSON:)` validation; the predicates must still not trap.
    @Test(arguments: degenerate)
    func predicatesDoNotTrap(_ geometry: Geometry) {
        for other in Self.degenerate + [ShiojiriPlaces.station, ShiojiriPlaces.central, ShiojiriPlaces.railway] {
            for relation in [GeoRelation.within, .contains, .intersects, .equals, .disjoint, .overlaps] {
                _ = relation.holds(target: geometry, reference: other)
                _ = relation.holds(target: other, reference: geometry)
            }
            _ = geometry.distance(to: other)
        }
        _ = geometry.boundingBox
    }
}
