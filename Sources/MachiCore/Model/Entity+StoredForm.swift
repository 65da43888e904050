import OrderedCollections

/// The stored form of an entity: one JSON object, expanded and normalized, every attribute an array of instances.
///
/// ```json
/// {"id": "urn:ngsi-ld:X:1", "type": ["https://…/X"], "scope": ["/a"], "createdAt": "…", "modifiedAt": "…",
///  "https://…/temperature": [{"type": "Property", "value": 21}]}
/// ```
extension Entity {
    /// The stored form.
    public var storedForm: JSON {
        var object = JSONObject(minimumCapacity: attributes.count + 5)
        object["id"] = .string(id)
        object["type"] = .array(types.map(JSON.string))
        if !scopes.isEmpty { object["scope"] = .array(scopes.map(JSON.string)) }
        if let createdAt { object["createdAt"] = .string(createdAt) }
        if let modifiedAt { object["modifiedAt"] = .string(modifiedAt) }
        for (name, instances) in attributes {
            object[name] = .array(instances.map { .object($0.members) })
        }
        return .object(object)
    }

    /// Reads the stored form back.
    /// - Throws: `NGSIError.internalError` if the document is not a stored entity.
    public init(storedForm: JSON) throws(NGSIError) {
        guard case .object(let object) = storedForm, let id = object["id"]?.stringValue,
            let types = object["type"]?.arrayValue
        else { throw NGSIError(.internalError, "stored entity is corrupt") }
        self.init(id: id, types: types.compactMap(\.stringValue))
        scopes = object["scope"]?.arrayValue?.compactMap(\.stringValue) ?? []
        createdAt = object["createdAt"]?.stringValue
        modifiedAt = object["modifiedAt"]?.stringValue
        for (name, value) in object where !Entity.storedFormMembers.contains(name) {
            attributes[name] = value.asArray.compactMap { $0.objectValue.map(Attribute.init(members:)) }
        }
    }

    static let storedFormMembers: Set<String> = ["id", "type", "scope", "createdAt", "modifiedAt"]
}
