import MachiCore
import Testing

struct EntityQueryTests {
    static let shiojiriStation = fixtureEntity([
        "id": "urn:ngsi-ld:TrainStation:Shiojiri", "type": ["https://example.org/TrainStation"],
        "scope": ["/Nagano/Shiojiri/Daimon"],
        "https://example.org/name": [["type": "Property", "value": "塩尻駅"]],
        "https://example.org/passengers": [["type": "Property", "value": 5_600, "observedAt": "2024-04-01T00:00:00Z"]],
        "https://uri.etsi.org/ngsi-ld/location": [
            ["type": "GeoProperty", "value": ["type": "Point", "coordinates": [137.9533, 36.1153]]]
        ],
    ])

    static func expand(_ name: String) -> String {
        name == "location" ? "https://uri.etsi.org/ngsi-ld/location" : "https://example.org/" + name
    }

    static func query(
        ids: [String]? = nil,
        idPattern: String? = nil,
        type: String? = nil,
        q: String? = nil,
        scopeQ: String? = nil,
        georel: String? = nil,
        attributes: [String]? = nil
    ) throws -> EntityQuery {
        EntityQuery(
            ids: ids,
            idPattern: idPattern,
            types: try type.map { try TypeExpression.parse($0).expanded(expand) },
            q: try q.map { try QueryExpression.parse($0).expanded(expand) },
            scopeQ: try scopeQ.map { try ScopeExpression.parse($0) },
            geo: try georel.map {
                try GeoQuery.parse(georel: $0, geometry: "Point", coordinates: "[137.9650,36.1210]").expanded(expand)
            },
            attributes: attributes?.map(expand)
        )
    }

    static let cases: [(EntityQuery, Bool)] = {
        do {
            return [
                (try query(), true),
                (try query(ids: ["urn:ngsi-ld:TrainStation:Shiojiri", "urn:x"]), true),
                (try query(ids: ["urn:x"]), false),
                (try query(ids: []), false),
                (try query(idPattern: "^urn:ngsi-ld:TrainStation:"), true),
                (try query(idPattern: "Shiojiri$"), true),
                (try query(idPattern: "^Shiojiri"), false),
                (try query(type: "TrainStation"), true),
                (try query(type: "BusStop,TrainStation"), true),
                (try query(type: "(BusStop;TrainStation)"), false),
                (try query(q: "passengers>5000"), true),
                (try query(q: "passengers.observedAt<2024-01-01T00:00:00Z"), false),
                (try query(q: #"name=="塩尻駅""#), true),
                (try query(scopeQ: "/Nagano/#"), true),
                (try query(scopeQ: "/Nagano/+"), false),
                (try query(georel: "near;maxDistance==2000"), true),
                (try query(georel: "near;maxDistance==1000"), false),
                (try query(georel: "near;minDistance==1000"), true),
                (try query(attributes: ["name", "colour"]), true),
                (try query(attributes: ["colour"]), false),
                (
                    try query(type: "TrainStation", q: "passengers>5000", scopeQ: "/Nagano/#", attributes: ["name"]),
                    true
                ),
                (try query(type: "TrainStation", q: "passengers>6000", scopeQ: "/Nagano/#"), false),
            ]
        } catch {
            fatalError("invalid fixture: \(error)")
        }
    }()

    @Test(arguments: cases)
    func matchesEntity(_ query: EntityQuery, _ expected: Bool) {
        #expect(query.matches(Self.shiojiriStation) == expected)
    }

    @Test func expansionKeepsMetadataAndCompoundKeys() throws {
        let q = try QueryExpression.parse("a.observedAt>2020-01-01;b.c[d.e]==1;!f;r{T:g.unitCode}==\"x\"")
            .expanded { "ex:" + $0 }
        #expect(
            q
                == .and([
                    queryTerm("ex:a", .greater(.dateTime("2020-01-01")), sub: ["observedAt"]),
                    queryTerm("ex:b", .equal(.number(1)), sub: ["ex:c"], compound: ["d", "e"]),
                    .not(queryTerm("ex:f")),
                    .linked(
                        relationship: "ex:r",
                        entityTypes: ["ex:T"],
                        query: queryTerm("ex:g", .equal(.string("x")), sub: ["unitCode"])
                    ),
                ])
        )
    }

    @Test func expandValuesCoercesOnlyTheNamedAttributes() throws {
        let q = try QueryExpression.parse(#"category==commercial;gender=="Male",Female;other==commercial;n>1"#)
            .expandingValues(of: ["category", "gender", "n"]) { "https://example.org/" + $0 }
        #expect(
            q
                == .and([
                    queryTerm("category", .equal(.uri("https://example.org/commercial"))),
                    queryTerm(
                        "gender",
                        .equal(.list([.string("https://example.org/Male"), .uri("https://example.org/Female")]))
                    ),
                    queryTerm("other", .equal(.uri("commercial"))),
                    queryTerm("n", .greater(.number(1))),
                ])
        )
    }

    @Test func invalidIDPatternIsReportedAndNeverMatches() {
        #expect(throws: NGSIError(.badRequestData, "")) { try QueryRegex.validate("(", parameter: "idPattern") }
        #expect(!EntityQuery(idPattern: "(").matches(Self.shiojiriStation))
    }
}
