import MachiCore
import MachiStore

/// Entities and changes for the SQLite-specific tests (built through the stored form, MachiCore API only).
enum Sample {
    static let ns = "https://machi.example/ns#"
    static let building = ns + "Building"
    static let temperature = ns + "temperature"
    static let location = ns + "location"

    /// A building with a temperature and a location: rows in every index table.
    static func building(_ number: Int, temperature: Double = 20) -> Entity {
        let text = """
            {"id": "urn:ngsi-ld:Building:\(number)", "type": ["\(building)"],
             "\(Self.temperature)": [{"type": "Property", "value": \(temperature)}],
             "\(location)": [{"type": "GeoProperty", "value": {"type": "Point", "coordinates": [139.7, 35.6]}}]}
            """
        return (try? JSONParser.parse(text)).flatMap { try? Entity(storedForm: $0) }
            ?? Entity(id: "urn:ngsi-ld:Building:\(number)", types: [building])
    }

    static func create(_ entity: Entity) -> EntityChange {
        EntityChange(id: entity.id) { current in
            if current != nil { throw NGSIError.alreadyExists(entity.id) }
            return entity
        }
    }
}
