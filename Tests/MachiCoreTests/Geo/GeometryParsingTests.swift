import MachiCore
import Testing

struct GeometryParsingTests {
    typealias S = ShiojiriPlaces

    static let valid: [(String, String, Geometry)] = [
        ("Point", "[137.9533,36.1153]", S.station),
        ("point", "[137.9533, 36.1153]", S.station),
        (
            "Point", "[137.9533,36.1153,712.5]",
            .point(Position(longitude: 137.9533, latitude: 36.1153, altitude: 712.5))
        ),
        ("Point", "[-180,-90]", .point(S.p(-180, -90))),
        ("MultiPoint", "[[137.9533,36.1153],[137.8122,35.9672]]", S.stationAndNarai),
        ("LineString", "[[137.93,36.1153],[137.98,36.1153]]", S.railway),
        (
            "MultiLineString", "[[[137.93,36.1153],[137.98,36.1153]],[[137.96,36.10],[137.96,36.13]]]",
            .multiLineString([
                [S.p(137.93, 36.1153), S.p(137.98, 36.1153)], [S.p(137.96, 36.10), S.p(137.96, 36.13)],
            ])
        ),
        ("Polygon", "[[[137.94,36.10],[137.97,36.10],[137.97,36.13],[137.94,36.13],[137.94,36.10]]]", S.central),
        (
            "Polygon",
            "[[[137.94,36.10],[137.97,36.10],[137.97,36.13],[137.94,36.13],[137.94,36.10]],"
                + "[[137.950,36.112],[137.957,36.112],[137.957,36.118],[137.950,36.118],[137.950,36.112]]]",
            S.centralWithoutStation
        ),
        (
            "MultiPolygon",
            "[[[[137.94,36.10],[137.97,36.10],[137.97,36.13],[137.94,36.13],[137.94,36.10]]],"
                + "[[[137.80,35.96],[137.82,35.96],[137.82,35.97],[137.80,35.97],[137.80,35.96]]]]",
            S.centralAndNarai
        ),
    ]

    @Test(arguments: valid)
    func parsesQueryGeometry(_ type: String, _ coordinates: String, _ expected: Geometry) throws {
        let geometry = try Geometry.parse(geometry: type, coordinates: coordinates)
        #expect(geometry == expected)
        #expect(try Geometry(geoJSON: geometry.geoJSON) == geometry)
    }

    static let invalid: [(String, String)] = [
        ("Circle", "[1,2]"), ("GeometryCollection", "[]"), ("Point", ""), ("Point", "137.95,36.11"), ("Point", "[1]"),
        ("Point", "[1,2,3,4]"), ("Point", #"["1",2]"#), ("Point", "[181,0]"), ("Point", "[0,-90.5]"),
        ("Point", "[[1,2]]"),
        ("Point", "[1,2"), ("MultiPoint", "[]"), ("LineString", "[[1,2]]"), ("LineString", "[1,2]"),
        ("MultiLineString", "[[[1,2]]]"), ("Polygon", "[[[0,0],[1,0],[0,0]]]"),
        ("Polygon", "[[[0,0],[1,0],[1,1],[0,1]]]"),
        ("Polygon", "[]"), ("Polygon", "[[]]"), ("MultiPolygon", "[[[[0,0],[1,0],[1,1],[0,2]]]]"),
        ("Point", "[1e400,0]"),
    ]

    @Test(arguments: invalid)
    func rejectsQueryGeometry(_ type: String, _ coordinates: String) {
        #expect(throws: NGSIError(.badRequestData, "")) { try Geometry.parse(geometry: type, coordinates: coordinates) }
    }

    static let invalidGeoJSON: [JSON] = [
        "Point", [137.95, 36.11], ["type": "Point"], ["coordinates": [1, 2]], ["type": 1, "coordinates": [1, 2]],
        ["type": "Feature", "coordinates": [1, 2]], ["type": "Point", "coordinates": [1, nil]],
    ]

    @Test(arguments: invalidGeoJSON)
    func rejectsGeoJSON(_ json: JSON) {
        #expect(throws: NGSIError(.badRequestData, "")) { try Geometry(geoJSON: json) }
    }

    @Test func writesGeoJSON() throws {
        #expect(S.station.geoJSON == ["type": "Point", "coordinates": [137.9533, 36.1153]])
        let json: JSON = [
            "type": "LineString", "coordinates": [[137.93, 36.1153, 700], [137.98, 36.1153, 680]],
            "bbox": [0, 0, 1, 1],
        ]
        let line = try Geometry(geoJSON: json)
        #expect(
            line.geoJSON == ["type": "LineString", "coordinates": [[137.93, 36.1153, 700], [137.98, 36.1153, 680]]]
        )
        #expect(line.typeName == "LineString")
    }

    @Test func errorSaysWhere() {
        do {
            _ = try Geometry.parse(geometry: "LineString", coordinates: "[[137.93,36.11],[137.98,96.11]]")
            Issue.record("expected an error")
        } catch {
            #expect(error.detail.contains("coordinates[1]"))
            #expect(error.detail.contains("latitude"))
        }
    }
}
