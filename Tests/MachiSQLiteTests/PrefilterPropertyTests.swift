import MachiCore
import MachiSQLite
import MachiStore
import Testing

/// The SQL pre-filters must never drop a match: for many generated entities and queries, the store returns exactly
/// what `EntityQuery.matches(_:)` accepts, in creation order, with the right count.
struct PrefilterPropertyTests {
    static let ns = "https://machi.example/ns#"
    static let names = ["a", "b", "c", "d"].map { ns + $0 }
    static let types = ["T1", "T2", "T3"].map { ns + $0 }
    static let location = ns + "location"

    @Test func storeResultsEqualTheReferenceSemantics() async throws {
        var random = SplitMix64(seed: 0x4D41_4348_49)
        let entities = (0..<150).map { Self.entity($0, &random) }
        // A small scan-first budget, so that `q` queries with one type run through both phases.
        var configuration = SQLiteStoreConfiguration(storage: .inMemory)
        configuration.scanFirstBudget = 7
        let store = try SQLiteEntityStore(configuration: configuration)
        defer { try? store.close() }
        let results = try await store.apply(entities.map(Sample.create), tenant: "p")
        #expect(results.allSatisfy { (try? $0.get()) != nil })

        for round in 0..<320 {
            var query = EntityQuery(
                limit: 1 + Int(random.next() % 40),
                offset: Int(random.next() % 8),
                count: round % 8 < 4
            )
            switch round % 4 {
            case 0: query.q = Self.expression(&random, depth: 0)
            case 1: query.geo = Self.geoQuery(&random)
            case 2:
                query.q = Self.expression(&random, depth: 1)
                query.types = .type(Self.types[Int(random.next() % 3)])
            default:
                query.attributes = [Self.names[Int(random.next() % 4)]]
                query.types = .or([.type(Self.types[0]), .type(Self.types[Int(random.next() % 3)])])
            }
            let matching = entities.filter(query.matches).map(\.id)
            let page = try await store.query(query, tenant: "p")
            let expected = Array(matching.dropFirst(query.offset).prefix(query.limit))
            #expect(page.entities.map(\.id) == expected, "round \(round): \(query)")
            #expect(page.totalCount == (query.count ? matching.count : nil), "round \(round): \(query)")
        }
    }

    // MARK: - Generators

    static let strings = [
        "alpha", "Beta", "gamma", "東京", "é", "e\u{301}", "", "2024-01-01T08:00:00+09:00",
        "2024-01-01T00:00:00Z", "2023-12-31", "12:00:00", "urn:ngsi-ld:X:1", "10", "9",
    ]

    static func scalar(_ random: inout SplitMix64) -> JSON {
        switch random.next() % 6 {
        case 0, 1: .number(Double(Int(random.next() % 21) - 10) / 2)
        case 2, 3: .string(strings[Int(random.next() % UInt64(strings.count))])
        case 4: .bool(random.next() % 2 == 0)
        default: ["@value": .string(strings[Int(random.next() % UInt64(strings.count))])]
        }
    }

    static func attribute(_ random: inout SplitMix64) -> JSON {
        let datasetId: JSON = random.next() % 4 == 0 ? .string("urn:ds:\(random.next() % 2)") : .null
        var members: [(String, JSON)]
        switch random.next() % 7 {
        case 0: members = [("type", "Relationship"), ("object", .string("urn:ngsi-ld:X:\(random.next() % 3)"))]
        case 1: members = [("type", "Property"), ("value", .array([scalar(&random), scalar(&random)]))]
        case 2: members = [("type", "LanguageProperty"), ("languageMap", ["en": scalar(&random), "ja": "東京"])]
        case 3: members = [("type", "ListProperty"), ("valueList", .array([scalar(&random), scalar(&random)]))]
        case 4: members = [("type", "VocabProperty"), ("vocab", .string(strings[Int(random.next() % 3)]))]
        default: members = [("type", "Property"), ("value", scalar(&random))]
        }
        if !datasetId.isNull { members.append(("datasetId", datasetId)) }
        return object(members)
    }

    static func entity(_ number: Int, _ random: inout SplitMix64) -> Entity {
        var members: [(String, JSON)] = [
            ("id", .string("urn:ngsi-ld:E:\(number)")),
            (
                "type",
                .array(types.filter { _ in random.next() % 2 == 0 }.map(JSON.string) + [.string(types[number % 3])])
            ),
        ]
        for name in names where random.next() % 3 != 0 {
            members.append((name, .array((0...(random.next() % 2)).map { _ in attribute(&random) })))
        }
        if random.next() % 4 != 0 {
            let lon = Double(random.next() % 2000) / 1000 + 139
            let lat = Double(random.next() % 2000) / 1000 + 35
            let point: JSON = ["type": "Point", "coordinates": [.number(lon), .number(lat)]]
            members.append((location, [["type": "GeoProperty", "value": point]]))
        }
        return (try? Entity(storedForm: object(members))) ?? Entity(id: "urn:ngsi-ld:E:\(number)", types: types)
    }

    static func literal(_ random: inout SplitMix64) -> QueryValue {
        switch random.next() % 7 {
        case 0, 1: .number(Double(Int(random.next() % 21) - 10) / 2)
        case 2: .string(strings[Int(random.next() % UInt64(strings.count))])
        case 3: .dateTime(["2024-01-01T00:00:00Z", "2023-12-31", "12:00:00"][Int(random.next() % 3)])
        case 4: .uri("urn:ngsi-ld:X:\(random.next() % 3)")
        case 5: .bool(random.next() % 2 == 0)
        default: .range(.number(Double(Int(random.next() % 10) - 5)), .number(Double(random.next() % 6)))
        }
    }

    static func expression(_ random: inout SplitMix64, depth: Int) -> QueryExpression {
        if depth < 2 && random.next() % 3 == 0 {
            let parts = (0..<2).map { _ in expression(&random, depth: depth + 1) }
            return random.next() % 2 == 0 ? .and(parts) : .or(parts)
        }
        if depth > 0 && random.next() % 8 == 0 { return .not(expression(&random, depth: depth + 1)) }
        let name = names[Int(random.next() % 4)]
        let value = literal(&random)
        let comparisons: [QueryComparison?] = [
            .equal(value), .notEqual(value), .greater(value), .greaterOrEqual(value), .less(value), .lessOrEqual(value),
            .equal(.list([value, literal(&random)])), .matches("^[a-z]"), nil,
        ]
        let comparison = comparisons[Int(random.next() % UInt64(comparisons.count))]
        let compound = random.next() % 10 == 0 ? ["en"] : []
        return .term(QueryTerm(path: AttributePath(attribute: name, compound: compound), comparison: comparison))
    }

    static func geoQuery(_ random: inout SplitMix64) -> GeoQuery {
        let center = Position(
            longitude: 139 + Double(random.next() % 2000) / 1000,
            latitude: 35 + Double(random.next() % 2000) / 1000
        )
        if random.next() % 2 == 0 {
            let distance = Double(random.next() % 100_000)
            let min: Double? = random.next() % 3 == 0 ? distance / 2 : nil
            return GeoQuery(
                relation: .near(maxDistance: distance, minDistance: min),
                geometry: .point(center),
                geoproperty: location
            )
        }
        let size = Double(random.next() % 1000) / 1000
        let ring = [
            center, Position(longitude: center.longitude + size, latitude: center.latitude),
            Position(longitude: center.longitude + size, latitude: center.latitude + size),
            Position(longitude: center.longitude, latitude: center.latitude + size), center,
        ]
        return GeoQuery(relation: .within, geometry: .polygon([ring]), geoproperty: location)
    }

    static func object(_ members: [(String, JSON)]) -> JSON {
        let text =
            "{"
            + members.map { JSONWriter.string(of: .string($0.0)) + ":" + JSONWriter.string(of: $0.1) }
            .joined(separator: ",") + "}"
        return (try? JSONParser.parse(text)) ?? .null
    }
}

/// A small deterministic random number generator, so failures reproduce.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
