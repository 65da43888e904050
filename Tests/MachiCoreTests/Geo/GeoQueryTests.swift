import MachiCore
import Testing

struct GeoQueryTests {
    static let georels: [(String, GeoRelation)] = [
        ("near;maxDistance==1000", .near(maxDistance: 1_000, minDistance: nil)),
        ("near;minDistance==10", .near(maxDistance: nil, minDistance: 10)),
        ("near;maxDistance==2.5e3", .near(maxDistance: 2_500, minDistance: nil)),
        ("within", .within), ("contains", .contains), ("intersects", .intersects), ("equals", .equals),
        ("disjoint", .disjoint), ("overlaps", .overlaps),
    ]

    @Test(arguments: georels)
    func parsesGeorel(_ text: String, _ expected: GeoRelation) throws {
        #expect(try GeoRelation.parse(text) == expected)
    }

    @Test(arguments: [
        "", "near", "near;", "near;maxDistance", "near;maxDistance=100", "near;maxDistance==0",
        "near;maxDistance==-100",
        "near;maxDistance==inf", "near;maxDistance==1e400", "near;maxDistance==abc", "near;distance==5",
        "near;maxDistance==5;minDistance==1", "touches", "Within", "within;x", "near ;maxDistance==5",
    ])
    func rejectsGeorel(_ text: String) {
        #expect(throws: NGSIError(.badRequestData, "")) { try GeoRelation.parse(text) }
    }

    @Test func combinedDistancesAreOptIn() throws {
        #expect(
            try GeoRelation.parse("near;minDistance==10;maxDistance==1000", allowsCombinedDistances: true)
                == .near(maxDistance: 1_000, minDistance: 10)
        )
        #expect(throws: NGSIError(.badRequestData, "")) {
            try GeoRelation.parse("near;maxDistance==10;maxDistance==1000", allowsCombinedDistances: true)
        }
    }

    static func located(_ id: String, _ instances: JSON...) -> Entity {
        Entity(id: id, types: ["Place"]).with(location: instances)
    }

    static let holed = "[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]"

    static let cases: [(String, String, String, Entity, Bool)] = [
        ("within", "Polygon", holed, located("urn:shell", ["type": "Point", "coordinates": [2, 2]]), true),
        ("within", "Polygon", holed, located("urn:hole", ["type": "Point", "coordinates": [5, 5]]), false),
        (
            "near;maxDistance==2000", "LineString", "[[0,60],[10,60]]",
            located("urn:east", ["type": "Point", "coordinates": [10, 60.009]]), true
        ),
        (
            "near;maxDistance==2000", "LineString", "[[0,61],[10,61]]",
            located("urn:east", ["type": "Point", "coordinates": [10, 60.009]]), false
        ),
        (
            "near;maxDistance==20000", "Point", "[0,85]",
            located("urn:high", ["type": "LineString", "coordinates": [[1, 85], [0, 85.6]]]), true
        ),
        (
            "near;maxDistance==5000", "Point", "[0,85]",
            located("urn:high", ["type": "LineString", "coordinates": [[1, 85], [0, 85.6]]]), false
        ),
        (
            "near;maxDistance==1000", "Point", "[137.9533,36.1153]",
            located(
                "urn:two",
                ["type": "Point", "coordinates": [10, 40]],
                ["type": "Point", "coordinates": [137.954, 36.115]]
            ), true
        ),
        (
            "near;maxDistance==1000", "Point", "[137.9533,36.1153]",
            located("urn:bad", ["type": "Point", "coordinates": [500, 40]]), false
        ),
        ("disjoint", "Point", "[137.9533,36.1153]", Entity(id: "urn:none", types: ["Place"]), false),
        (
            "equals", "Point", "[13.3986, 52.5547]",
            located("urn:berlin", ["type": "Point", "coordinates": [13.3986, 52.5547]]), true
        ),
    ]

    @Test(arguments: cases)
    func matchesEntity(
        _ georel: String,
        _ geometry: String,
        _ coordinates: String,
        _ entity: Entity,
        _ expected: Bool
    ) throws {
        let query = try GeoQuery.parse(georel: georel, geometry: geometry, coordinates: coordinates)
        #expect(query.geoproperty == "location")
        #expect(query.matches(entity) == expected)
    }

    @Test func usesTheNamedGeoProperty() throws {
        let query = try GeoQuery.parse(
            georel: "intersects",
            geometry: "Point",
            coordinates: "[2,2]",
            geoproperty: "observationSpace"
        )
        .expanded { "https://uri.etsi.org/ngsi-ld/" + $0 }
        #expect(query.geoproperty == "https://uri.etsi.org/ngsi-ld/observationSpace")
        let space = try Entity(storedForm: [
            "id": "urn:a", "type": ["Place"],
            "https://uri.etsi.org/ngsi-ld/observationSpace": [
                [
                    "type": "GeoProperty",
                    "value": ["type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]]],
                ]
            ],
        ])
        #expect(query.matches(space))
        #expect(!query.matches(Self.located("urn:b", ["type": "Point", "coordinates": [2, 2]])))
    }
}

extension Entity {
    /// The entity with `location` instances (not expanded: these tests query `location` as is).
    fileprivate func with(location instances: [JSON]) -> Entity {
        var stored: [JSON] = []
        for (i, value) in instances.enumerated() {
            stored.append(
                i == 0
                    ? ["type": "GeoProperty", "value": value]
                    : ["type": "GeoProperty", "value": value, "datasetId": .string("urn:d:\(i)")]
            )
        }
        // The stored form of a test fixture is always valid.
        return try! Entity(storedForm: [
            "id": .string(id), "type": .array(types.map(JSON.string)), "location": .array(stored),
        ])
    }
}
