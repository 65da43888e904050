public import OrderedCollections

/// Decodes NGSI-LD payloads — normalized, concise or simplified (keyValues), compacted with a @context —
/// into Machi's expanded, normalized `Entity`. Every violation is a `BadRequestData` error naming the member.
public struct EntityDecoder: Sendable {
    /// The request's active context.
    public var context: JSONLDContext
    /// The timestamp for `createdAt`/`modifiedAt` of what is written.
    public var now: String

    public init(context: JSONLDContext, now: String) {
        self.context = context
        self.now = now
    }

    /// Decodes a whole entity (create, replace, batch create/upsert).
    public func entity(_ json: JSON) throws(NGSIError) -> Entity {
        guard case .object(let object) = json else {
            throw .badRequestData("An entity must be a JSON object, not \(json.kindName)")
        }
        let id = try entityId(object["id"] ?? object["@id"])
        guard let typeValue = object["type"] ?? object["@type"] else {
            throw .badRequestData("Entity \(id) has no type")
        }
        var entity = Entity(id: id, types: try types(typeValue), createdAt: now, modifiedAt: now)
        if let scope = object["scope"] { entity.scopes = try scopes(scope) }
        let fragment = try attributes(of: object, allowDeletion: false)
        entity.attributes = fragment.attributes
        return entity
    }

    /// Decodes the attribute members of a fragment (append, update, merge, partial update).
    /// - Parameter allowDeletion: whether `null` (or `urn:ngsi-ld:null`) may mark an attribute for deletion
    ///   (merge-patch); otherwise it is an error.
    public func fragment(_ json: JSON, allowDeletion: Bool) throws(NGSIError) -> EntityFragment {
        guard case .object(let object) = json else {
            throw .badRequestData("The payload must be a JSON object, not \(json.kindName)")
        }
        var fragment = try attributes(of: object, allowDeletion: allowDeletion)
        if let id = object["id"] { fragment.id = try entityId(id) }
        if let type = object["type"] { fragment.types = try types(type) }
        if let scope = object["scope"] { fragment.scopes = try scopes(scope) }
        return fragment
    }

    /// Decodes one attribute's value (`PATCH …/attrs/{attr}`, `PUT …/attrs/{attr}`) under an expanded name.
    public func attribute(named name: String, _ json: JSON, allowDeletion: Bool) throws(NGSIError) -> [Attribute]? {
        try instances(of: name, json, allowDeletion: allowDeletion)
    }

    func attributes(of object: JSONObject, allowDeletion: Bool) throws(NGSIError) -> EntityFragment {
        var fragment = EntityFragment()
        for (name, value) in object
        where !AttributeMembers.entityMembers.contains(name) && name != "@id"
            && name != "@type"
        {
            guard NameRules.isValidName(name) else { throw .badRequestData("Invalid attribute name \"\(name)\"") }
            let expanded = context.expandTerm(name)
            if let instances = try instances(of: expanded, value, allowDeletion: allowDeletion) {
                fragment.attributes[expanded, default: []].append(contentsOf: instances)
            } else {
                fragment.deletions.insert(expanded)
            }
        }
        for (name, instances) in fragment.attributes {
            var seen = Set<String?>()
            for instance in instances where !seen.insert(instance.datasetId).inserted {
                throw .badRequestData(
                    "Attribute \(context.compactIRI(name)) has two instances with datasetId \(instance.datasetId ?? "(none)")"
                )
            }
        }
        return fragment
    }

    /// The instances an attribute value denotes, or `nil` for a deletion marker.
    func instances(of name: String, _ value: JSON, allowDeletion: Bool) throws(NGSIError) -> [Attribute]? {
        if isNullMarker(value) {
            guard allowDeletion else { throw .badRequestData("Attribute \(context.compactIRI(name)) is null") }
            return nil
        }
        if case .array(let elements) = value, !elements.isEmpty, elements.allSatisfy(looksLikeAttribute) {
            var result: [Attribute] = []
            for element in elements {
                guard let instance = try instance(of: name, element, allowDeletion: allowDeletion) else { return nil }
                result.append(instance)
            }
            return result
        }
        return try instance(of: name, value, allowDeletion: allowDeletion).map { [$0] }
    }

    func isNullMarker(_ value: JSON) -> Bool {
        if value.isNull || value.stringValue == "urn:ngsi-ld:null" { return true }
        return false
    }

    func looksLikeAttribute(_ value: JSON) -> Bool {
        guard case .object(let object) = value else { return false }
        if let type = object["type"]?.stringValue, AttributeKind(rawValue: type) != nil { return true }
        return AttributeKind.allCases.contains { object[$0.valueMember] != nil }
    }

    func instance(of name: String, _ value: JSON, allowDeletion: Bool) throws(NGSIError) -> Attribute? {
        let label = context.compactIRI(name)
        guard case .object(var members) = value else {
            return Attribute(members: try stamped(["type": "Property", "value": value], kind: .property, label: label))
        }
        let kind: AttributeKind
        if let typeName = members["type"]?.stringValue, let explicit = AttributeKind(rawValue: typeName) {
            kind = explicit
        } else if let inferred = AttributeKind.allCases.first(where: { members[$0.valueMember] != nil }),
            members["type"] == nil
        {
            kind =
                inferred == .property && AttributeMembers.geoPropertyNames.contains(name) && isGeoJSON(members["value"])
                ? .geoProperty : inferred
            members.updateValue(.string(kind.rawValue), forKey: "type", insertingAt: 0)
        } else if isGeoJSON(value) {
            members = ["type": "GeoProperty", "value": value]
            kind = .geoProperty
        } else if let typeName = members["type"] {
            throw .badRequestData("Attribute \(label) has an invalid type \(typeName)")
        } else {
            return Attribute(members: try stamped(["type": "Property", "value": value], kind: .property, label: label))
        }
        if allowDeletion, let held = members[kind.valueMember], isNullMarker(held) { return nil }
        return Attribute(members: try normalized(members, kind: kind, label: label, allowDeletion: allowDeletion))
    }

    func isGeoJSON(_ value: JSON?) -> Bool {
        guard let type = value?["type"]?.stringValue, AttributeMembers.geoJSONTypes.contains(type) else { return false }
        return value?["coordinates"] != nil
    }

    func normalized(
        _ input: JSONObject,
        kind: AttributeKind,
        label: String,
        allowDeletion: Bool
    ) throws(NGSIError)
        -> JSONObject
    {
        var members = JSONObject(minimumCapacity: input.count + 2)
        for (key, member) in input {
            if AttributeMembers.systemMembers.contains(key) { continue }
            if AttributeMembers.reserved.contains(key) {
                members[key] = member
                continue
            }
            guard NameRules.isValidName(key) else { throw .badRequestData("Invalid sub-attribute name \"\(key)\"") }
            let expanded = context.expandTerm(key)
            guard let subInstances = try instances(of: expanded, member, allowDeletion: allowDeletion) else { continue }
            members[expanded] =
                subInstances.count == 1
                ? JSON.object(subInstances[0].members) : JSON.array(subInstances.map { JSON.object($0.members) })
        }
        try validate(&members, kind: kind, label: label)
        return try stamped(members, kind: kind, label: label)
    }

    func stamped(_ input: JSONObject, kind: AttributeKind, label: String) throws(NGSIError) -> JSONObject {
        var members = input
        if kind == .property, members["value"] != nil { try validate(&members, kind: kind, label: label) }
        members["createdAt"] = .string(now)
        members["modifiedAt"] = .string(now)
        return members
    }
}

/// A decoded partial entity: attributes to write and attribute names to delete (merge-patch `null`s).
public struct EntityFragment: Sendable {
    public var id: String?
    public var types: [String]?
    public var scopes: [String]?
    public var attributes: OrderedDictionary<String, [Attribute]> = [:]
    public var deletions: Set<String> = []

    public init() {}
}
