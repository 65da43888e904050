import MachiCore

/// Expanded names and entity builders for the conformance checks.
///
/// Builders go through the stored form (`Entity(storedForm:)`), so they use only MachiCore API.
enum Fixture {
    static let namespace = "https://machi.example/ns#"

    /// Expanded type IRIs.
    enum Types {
        static let building = Fixture.namespace + "Building"
        static let sensor = Fixture.namespace + "Sensor"
        static let vehicle = Fixture.namespace + "Vehicle"
        static let landmark = Fixture.namespace + "Landmark"
        static let person = Fixture.namespace + "Person"
    }

    /// Expanded attribute names.
    enum Names {
        static let temperature = Fixture.namespace + "temperature"
        static let name = Fixture.namespace + "name"
        static let floors = Fixture.namespace + "floors"
        static let owner = Fixture.namespace + "owner"
        static let tags = Fixture.namespace + "tags"
        static let speed = Fixture.namespace + "speed"
        static let open = Fixture.namespace + "open"
        static let location = Fixture.namespace + "location"
        static let inspected = Fixture.namespace + "inspected"
    }

    /// A test entity id.
    static func id(_ type: String, _ number: Int) -> String { "urn:ngsi-ld:\(type):\(number)" }

    /// An entity with these types and attributes (name → instances, each a normalized attribute object).
    static func entity(_ id: String, types: [String], _ attributes: [(String, [JSON])] = []) -> Entity {
        var members: [(String, JSON)] = [("id", .string(id)), ("type", .array(types.map(JSON.string)))]
        for (name, instances) in attributes { members.append((name, .array(instances))) }
        // The stored form of a well-formed fixture always reads back.
        return (try? Entity(storedForm: object(members))) ?? Entity(id: id, types: types)
    }

    /// A Property.
    static func property(_ value: JSON, datasetId: String? = nil) -> JSON {
        var members: [(String, JSON)] = [("type", "Property"), ("value", value)]
        if let datasetId { members.append(("datasetId", .string(datasetId))) }
        return object(members)
    }

    /// A Relationship.
    static func relationship(_ object: String) -> JSON { ["type": "Relationship", "object": .string(object)] }

    /// A GeoProperty holding a GeoJSON Point.
    static func point(longitude: Double, latitude: Double) -> JSON {
        [
            "type": "GeoProperty",
            "value": ["type": "Point", "coordinates": [.number(longitude), .number(latitude)]],
        ]
    }

    /// A JSON object with members in this order, built with `JSONWriter`/`JSONParser` only.
    static func object(_ members: [(String, JSON)]) -> JSON {
        let text =
            "{"
            + members.map { JSONWriter.string(of: .string($0.0)) + ":" + JSONWriter.string(of: $0.1) }
            .joined(separator: ",") + "}"
        return (try? JSONParser.parse(text)) ?? .null
    }

    /// A Building with a temperature, a name and optionally more.
    static func building(
        _ number: Int,
        temperature: Double,
        name: String,
        extra: [(String, [JSON])] = []
    ) -> Entity {
        entity(
            id("Building", number),
            types: [Types.building],
            [(Names.temperature, [property(.number(temperature))]), (Names.name, [property(.string(name))])] + extra
        )
    }
}
