import MachiCore

/// Turns entities into the `doc` column (the stored form as compact JSON text) and back.
enum StoredEntityCodec {
    /// A stored document that cannot be read back.
    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var description: String { "stored entity is corrupt: \(reason)" }
    }

    /// Stored documents nest a little deeper than request bodies (attribute arrays), so reading them allows more
    /// depth than the API parser does.
    static let readLimits = JSONParser.Limits(maxDepth: 512)

    static func encode(_ entity: Entity) -> String { JSONWriter.string(of: entity.storedForm) }

    static func decode(_ text: String) throws(Failure) -> Entity {
        let json: JSON
        do {
            json = try JSONParser.parse(text, limits: readLimits)
        } catch {
            throw Failure(reason: error.description)
        }
        do {
            return try Entity(storedForm: json)
        } catch {
            throw Failure(reason: error.detail)
        }
    }
}
