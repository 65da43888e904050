public import OrderedCollections

/// Decodes NGSI-LD payloads — normalized, concise or simplified (keyValues), compacted with a @context —
/// into Machi's expanded, normalized `Entity`. Every violation is a `BadRequestData` error naming the member.
public struct EntityDecoder: Sendable {
    /// Where the NGSI-LD Null (`urn:ngsi-ld:null`, 4.5.0) may appear in a payload.
    public enum NullHandling: Sendable {
        /// Nowhere (create, replace, append, upsert): any NGSI-LD Null is `BadRequestData`.
        case reject
        /// As an attribute, instance or sub-attribute value to delete it (update attributes, 5.5.8).
        case deleteAttributes
        /// Also inside a compound Property value, as a JSON merge patch (merge, 5.5.12).
        case merge
    }

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
        let fragment = try attributes(of: object, nulls: .reject)
        entity.attributes = fragment.attributes
        return entity
    }

    /// Decodes the attribute members of a fragment (append, update, merge).
    /// - Parameter nulls: where the NGSI-LD Null may mark something for deletion.
    public func fragment(_ json: JSON, nulls: NullHandling) throws(NGSIError) -> EntityFragment {
        guard case .object(let object) = json else {
            throw .badRequestData("The payload must be a JSON object, not \(json.kindName)")
        }
        var fragment = try attributes(of: object, nulls: nulls)
        if let id = object["id"] ?? object["@id"] { fragment.id = try entityId(id) }
        if let type = object["type"] ?? object["@type"] { fragment.types = try types(type) }
        if let scope = object["scope"] { fragment.scopes = try scopes(scope) }
        return fragment
    }

    /// Decodes one attribute's value (`PUT …/attrs/{attr}`) under an expanded name.
    public func attribute(named name: String, _ json: JSON) throws(NGSIError) -> [Attribute] {
        var instances: [Attribute] = []
        for element in try elements(of: name, json) {
            guard case .write(let instance) = try instance(of: name, element, nulls: .reject) else {
                throw .badRequestData("Attribute \(context.compactIRI(name)) is the NGSI-LD Null")
            }
            instances.append(instance)
        }
        try checkDatasets(instances, name: name)
        return instances
    }

    func attributes(of object: JSONObject, nulls: NullHandling) throws(NGSIError) -> EntityFragment {
        var fragment = EntityFragment()
        for (name, value) in object
        where !AttributeMembers.entityMembers.contains(name) && name != "@id" && name != "@type" {
            guard NameRules.isValidTerm(name) else { throw .badRequestData("Invalid attribute name \"\(name)\"") }
            if name == "expiresAt" { try Self.refuseExpiry(value, of: "the entity") }
            let expanded = context.expandTerm(name)
            guard !AttributeMembers.nonReifiedTerms.contains(name),
                !AttributeMembers.nonReifiedTerms.contains(expanded), !expanded.hasPrefix("@")
            else {
                throw .badRequestData("\(name) is an NGSI-LD keyword and cannot name an attribute")
            }
            fragment.names[expanded] = name
            if isNullMarker(value) {
                guard nulls != .reject else { throw .badRequestData("Attribute \(name) is the NGSI-LD Null") }
                fragment.deletions.append(AttributeDeletion(name: expanded, allInstances: true, datasetId: nil))
                continue
            }
            var written: [Attribute] = []
            for element in try elements(of: expanded, value) {
                switch try instance(of: expanded, element, nulls: nulls) {
                case .write(let instance): written.append(instance)
                case .delete(let datasetId):
                    fragment.deletions.append(
                        AttributeDeletion(name: expanded, allInstances: false, datasetId: datasetId)
                    )
                }
            }
            try checkDatasets(written, name: expanded)
            if !written.isEmpty { fragment.attributes[expanded, default: []].append(contentsOf: written) }
        }
        return fragment
    }

    /// At most one instance per `datasetId` (4.5.5), the default instance included.
    func checkDatasets(_ instances: [Attribute], name: String) throws(NGSIError) {
        var seen = Set<String?>()
        for instance in instances where !seen.insert(instance.datasetId).inserted {
            throw .badRequestData(
                "Attribute \(context.compactIRI(name)) has two instances with datasetId \(instance.datasetId ?? "(default)")"
            )
        }
    }

    /// The instances an attribute value holds: the elements of an array of attribute objects, or the value itself.
    func elements(of name: String, _ value: JSON) throws(NGSIError) -> [JSON] {
        if case .array(let elements) = value, !elements.isEmpty, elements.allSatisfy(looksLikeAttribute) {
            return elements
        }
        return [value]
    }

    /// Whether `value` is the NGSI-LD Null: JSON `null` or `"urn:ngsi-ld:null"`.
    func isNullMarker(_ value: JSON) -> Bool {
        value.isNull || value.stringValue == NameRules.null
    }

    func looksLikeAttribute(_ value: JSON) -> Bool {
        guard case .object(let object) = value else { return false }
        if let type = object["type"]?.stringValue, AttributeKind(rawValue: type) != nil { return true }
        return AttributeKind.allCases.contains { object[$0.valueMember] != nil }
    }

    /// What one instance in a payload asks for.
    enum Decoded {
        case write(Attribute)
        /// The instance's value is the NGSI-LD Null: delete the instance with this `datasetId`.
        case delete(datasetId: String?)
    }

    func instance(of name: String, _ value: JSON, nulls: NullHandling) throws(NGSIError) -> Decoded {
        let label = context.compactIRI(name)
        guard case .object(var members) = value else {
            return .write(try concise(value, name: name, label: label, nulls: nulls))
        }
        let kind: AttributeKind
        if let typeName = members["type"]?.stringValue, let explicit = AttributeKind(rawValue: typeName) {
            kind = explicit
        } else if let inferred = AttributeKind.allCases.first(where: { members[$0.valueMember] != nil }),
            members["type"] == nil
        {
            kind = inferred == .property && isGeoJSON(members["value"]) ? .geoProperty : inferred
            members.updateValue(.string(kind.rawValue), forKey: "type", insertingAt: 0)
        } else if isGeoJSON(value) {
            members = ["type": "GeoProperty", "value": value]
            kind = .geoProperty
        } else if let typeName = members["type"] {
            throw .badRequestData("Attribute \(label) has an invalid type \(typeName)")
        } else {
            return .write(try concise(value, name: name, label: label, nulls: nulls))
        }
        if let held = members[kind.valueMember], isDeletionMarker(held, kind: kind) {
            guard nulls != .reject else { throw .badRequestData("\(kind.rawValue) \(label) is the NGSI-LD Null") }
            return .delete(datasetId: try datasetId(members["datasetId"], label: label))
        }
        try checkKind(kind, of: name, label: label)
        return .write(Attribute(members: try normalized(members, kind: kind, name: name, label: label, nulls: nulls)))
    }

    /// A bare value (concise/keyValues): a Property, or a GeoProperty for a GeoJSON geometry.
    func concise(_ value: JSON, name: String, label: String, nulls: NullHandling) throws(NGSIError) -> Attribute {
        let kind: AttributeKind = isGeoJSON(value) ? .geoProperty : .property
        try checkKind(kind, of: name, label: label)
        return Attribute(
            members: try normalized(
                ["type": .string(kind.rawValue), "value": value],
                kind: kind,
                name: name,
                label: label,
                nulls: nulls
            )
        )
    }

    /// `location`, `observationSpace` and `operationSpace` are GeoProperties (4.7.1).
    func checkKind(_ kind: AttributeKind, of name: String, label: String) throws(NGSIError) {
        if AttributeMembers.geoPropertyNames.contains(name), kind != .geoProperty {
            throw .badRequestData("\(label) is a GeoProperty by definition, not a \(kind.rawValue)")
        }
    }

    /// Whether a value member is the NGSI-LD Null for its kind (a languageMap `{"@none": "urn:ngsi-ld:null"}`).
    func isDeletionMarker(_ held: JSON, kind: AttributeKind) -> Bool {
        if held.stringValue == NameRules.null { return true }
        if let list = held.arrayValue, list.count == 1, list[0].stringValue == NameRules.null { return true }
        if kind == .languageProperty, case .object(let map) = held, map.count == 1,
            map["@none"]?.stringValue == NameRules.null
        {
            return true
        }
        return false
    }

    func isGeoJSON(_ value: JSON?) -> Bool {
        guard let type = value?["type"]?.stringValue, AttributeMembers.geoJSONTypes.contains(type) else { return false }
        return value?["coordinates"] != nil
    }

    func normalized(
        _ input: JSONObject,
        kind: AttributeKind,
        name: String,
        label: String,
        nulls: NullHandling
    ) throws(NGSIError) -> JSONObject {
        var members = JSONObject(minimumCapacity: input.count + 2)
        let allowed = AttributeMembers.metadata(of: kind)
        let isProof = Self.isProof(name)
        for (key, member) in input {
            if AttributeMembers.systemMembers.contains(key) { continue }
            if key == "type" || key == kind.valueMember || allowed.contains(key) {
                members[key] = member
                continue
            }
            if key == "expiresAt" { try Self.refuseExpiry(member, of: label) }
            if isProof, key == "entityIdSealed" || key == "entityTypeSealed" {
                guard member.stringValue != nil else { throw .badRequestData("\(key) of \(label) must be a string") }
                members[key] = member
                continue
            }
            if AttributeMembers.reserved.contains(key) {
                throw .badRequestData("\(key) is not allowed on \(kind.rawValue) \(label)")
            }
            guard NameRules.isValidTerm(key) else { throw .badRequestData("Invalid sub-attribute name \"\(key)\"") }
            let expanded = context.expandTerm(key)
            if AttributeMembers.nonReifiedTerms.contains(expanded) {
                throw .badRequestData("\(key) is an NGSI-LD keyword and cannot name a sub-attribute")
            }
            if isNullMarker(member) {
                guard nulls != .reject else {
                    throw .badRequestData("Sub-attribute \(key) of \(label) is the NGSI-LD Null")
                }
                members[expanded] = .null
                continue
            }
            let decoded = try instance(of: expanded, member, nulls: nulls)
            switch decoded {
            case .write(let sub): members[expanded] = .object(sub.members)
            case .delete: members[expanded] = .null
            }
        }
        try validate(&members, kind: kind, label: label, nulls: nulls)
        if isProof, kind == .property, members["value"]?.objectValue == nil {
            throw .badRequestData("The value of \(label) must be a Data Integrity proof object")
        }
        members["createdAt"] = .string(now)
        members["modifiedAt"] = .string(now)
        return members
    }

    /// `expiresAt` (transient entities, 4.22) is not implemented: a malformed one is `BadRequestData`, a valid one
    /// `OperationNotSupported` rather than an expiry that would silently never happen.
    static func refuseExpiry(_ value: JSON, of label: String) throws(NGSIError) {
        guard let text = value.stringValue, DateTimeText.isValidUTC(text) else {
            throw .badRequestData("expiresAt of \(label) must be a DateTime in UTC (ending in Z)")
        }
        throw NGSIError(.operationNotSupported, "expiresAt (transient entities) is not supported")
    }

    /// Whether `name` is the `ngsildproof` Property (4.5.2.2), the only one with sealed members.
    static func isProof(_ name: String) -> Bool {
        name == "ngsildproof" || name.hasSuffix("/ngsildproof") || name.hasSuffix(":ngsildproof")
            || name.hasSuffix("#ngsildproof")
    }
}

/// One attribute (or instance) a fragment deletes with the NGSI-LD Null.
public struct AttributeDeletion: Sendable, Hashable {
    /// The expanded attribute name.
    public var name: String
    /// Every instance (`"attr": "urn:ngsi-ld:null"`), or only the one with `datasetId`.
    public var allInstances: Bool
    public var datasetId: String?

    public init(name: String, allInstances: Bool, datasetId: String?) {
        self.name = name
        self.allInstances = allInstances
        self.datasetId = datasetId
    }
}

/// A decoded partial entity: attributes to write and attributes to delete (NGSI-LD Nulls).
public struct EntityFragment: Sendable {
    public var id: String?
    public var types: [String]?
    public var scopes: [String]?
    public var attributes: OrderedDictionary<String, [Attribute]> = [:]
    public var deletions: [AttributeDeletion] = []
    /// Each expanded attribute name as the payload wrote it (for `updated`/`notUpdated` reports).
    public var names: [String: String] = [:]

    public init() {}

    /// Whether the fragment asks for nothing at all.
    public var isEmpty: Bool { attributes.isEmpty && deletions.isEmpty && types == nil && scopes == nil }
}
