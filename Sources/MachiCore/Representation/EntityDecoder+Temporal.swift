import OrderedCollections

/// A temporal representation in a request (5.6.11 create or update it, 5.6.12 add attributes): the entity's
/// identity and, per attribute, any number of instances (several may share a `datasetId`: they are states over
/// time, not a multi-attribute).
public struct TemporalPayload: Sendable {
    public var id: String
    public var types: [String]
    public var instances: [(name: String, attribute: Attribute)]
}

extension EntityDecoder {
    /// Decodes a temporal representation; `id` and `type` are required unless `requireIdentity` is false (adding
    /// attributes to an existing one).
    public func temporalPayload(_ json: JSON, requireIdentity: Bool = true) throws(NGSIError) -> TemporalPayload {
        guard case .object(let object) = json else { throw .badRequestData("A temporal entity must be a JSON object") }
        var id = ""
        var types: [String] = []
        if requireIdentity {
            id = try entityId(object["id"] ?? object["@id"])
            guard let type = object["type"] ?? object["@type"] else { throw .badRequestData("The entity needs a type") }
            types = try self.types(type)
        }
        var instances: [(name: String, attribute: Attribute)] = []
        if let scope = object["scope"] {
            for attribute in try scopeInstances(scope) { instances.append((TemporalScope.name, attribute)) }
        }
        for (name, value) in object
        where !AttributeMembers.entityMembers.contains(name) && name != "@id" && name != "@type" {
            guard NameRules.isValidTerm(name) else { throw .badRequestData("Invalid attribute name \"\(name)\"") }
            let expanded = context.expandTerm(name)
            guard !AttributeMembers.nonReifiedTerms.contains(name), !expanded.hasPrefix("@") else {
                throw .badRequestData("\(name) is an NGSI-LD keyword and cannot name an attribute")
            }
            for element in try elements(of: expanded, value) {
                guard case .write(let instance) = try instance(of: expanded, element, nulls: .reject) else {
                    throw .badRequestData("An instance of \(name) is the NGSI-LD Null")
                }
                instances.append((expanded, instance))
            }
        }
        return TemporalPayload(id: id, types: types, instances: instances)
    }

    /// The scope's temporal evolution in a payload (4.5.6): Property instances whose value is a scope or an array
    /// of scopes, or the scope alone (a string or an array of strings).
    func scopeInstances(_ json: JSON) throws(NGSIError) -> [Attribute] {
        let elements: [JSON]
        switch json {
        case .array(let list) where list.contains(where: { $0.objectValue != nil }): elements = list
        default: elements = [json]
        }
        return try elements.map { element throws(NGSIError) in
            guard case .object(let members) = element else {
                return Attribute(members: ["type": "Property", "value": scopeValue(try scopes(element))])
            }
            if let type = members["type"], type != "Property" {
                throw .badRequestData("An instance of scope must be a Property")
            }
            guard let value = members["value"] else { throw .badRequestData("An instance of scope needs a value") }
            var kept: JSONObject = ["type": "Property", "value": scopeValue(try scopes(value))]
            if let observedAt = members["observedAt"] {
                guard let text = observedAt.stringValue, DateTimeText.parse(text) != nil else {
                    throw .badRequestData("observedAt of scope must be a DateTime")
                }
                kept["observedAt"] = observedAt
            }
            return Attribute(members: kept)
        }
    }

    func scopeValue(_ scopes: [String]) -> JSON {
        scopes.count == 1 ? .string(scopes[0]) : .array(scopes.map(JSON.string))
    }
}
