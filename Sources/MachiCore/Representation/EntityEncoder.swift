public import OrderedCollections

/// Renders entities for a response: compacted with the request's @context, in the requested representation.
public struct EntityEncoder: Sendable {
    /// The NGSI-LD representations (ETSI GS CIM 009, 4.5).
    public enum Format: Sendable {
        case normalized
        case concise
        /// `keyValues` / `simplified`.
        case keyValues
    }

    /// Linked Entity retrieval (`join`, ETSI GS CIM 009 4.5.23).
    public enum Join: String, Sendable {
        /// Each Relationship carries its linked entity in `entity` (`entityList` for a ListRelationship); in the
        /// simplified representation the linked entity replaces the Relationship's value.
        case inline
        /// The linked entities follow the entities in one flat array.
        case flat
    }

    public var context: JSONLDContext
    public var format: Format
    /// Include `createdAt` / `modifiedAt` / `expiresAt` (`options=sysAttrs`).
    public var sysAttrs: Bool
    /// The preferred language(s) for LanguageProperties (`lang=ja,en;q=0.8` or `*`).
    public var lang: String?
    /// Expanded names of the attributes to include (`attrs` / `pick`); `nil` for all.
    public var attributeSelection: Set<String>?
    /// Expanded names of the attributes to leave out (`omit`).
    public var omittedAttributes: Set<String>
    /// Entity members (`id`, `type`, `scope`) to leave out (`omit`, or absent from `pick`).
    public var omittedMembers: Set<String>
    /// Only the attribute instances with one of these `datasetId`s (`@none` for the default instance).
    public var datasetIds: Set<String>?
    /// The `pick` projections of the entities linked through a Relationship (`rel{…}`), by expanded name.
    public var linkedPick: [String: Projection] = [:]
    /// The `omit` projections of the entities linked through a Relationship, by expanded name.
    public var linkedOmit: [String: Projection] = [:]
    /// Linked Entity retrieval, if requested.
    public var join: Join?
    /// How many Relationship hops `join` follows.
    public var joinLevel: Int = 1

    public init(
        context: JSONLDContext,
        format: Format = .normalized,
        sysAttrs: Bool = false,
        lang: String? = nil,
        attributeSelection: Set<String>? = nil,
        omittedAttributes: Set<String> = [],
        omittedMembers: Set<String> = [],
        datasetIds: Set<String>? = nil
    ) {
        self.context = context
        self.format = format
        self.sysAttrs = sysAttrs
        self.lang = lang
        self.attributeSelection = attributeSelection
        self.omittedAttributes = omittedAttributes
        self.omittedMembers = omittedMembers
        self.datasetIds = datasetIds
    }

    /// The IRI of the system attribute `expiresAt` (transient entities), shown only with `sysAttrs`.
    static let expiresAt = "https://uri.etsi.org/ngsi-ld/expiresAt"

    /// Applies expanded `pick` / `omit` projections (4.21): which members stay, and the projections of linked
    /// entities.
    public mutating func project(pick: Projection?, omit: Projection?) {
        if let pick {
            let names = Set(pick.names)
            let attributes = names.subtracting(Projection.entityMembers)
            attributeSelection = attributeSelection.map { $0.intersection(attributes) } ?? attributes
            omittedMembers = Projection.entityMembers.subtracting(names)
            for member in pick.members { if let linked = member.linked { linkedPick[member.name] = linked } }
        }
        if let omit {
            let names = Set(omit.members.filter { $0.linked == nil }.map(\.name))
            omittedAttributes = names.subtracting(Projection.entityMembers)
            omittedMembers.formUnion(Projection.entityMembers.intersection(names))
            for member in omit.members { if let linked = member.linked { linkedOmit[member.name] = linked } }
        }
    }

    /// The entity as a JSON object (without `@context`; the caller adds it for `application/ld+json`).
    public func encode(_ entity: Entity) -> JSONObject { encode(entity, linked: [:]) }

    /// The entity as a JSON object, with `join=inline` taking linked entities from `linked` (by id).
    public func encode(_ entity: Entity, linked: [String: Entity]) -> JSONObject {
        var out = JSONObject(minimumCapacity: entity.attributes.count + 3)
        if !omittedMembers.contains("id") { out["id"] = .string(entity.id) }
        if !omittedMembers.contains("type") {
            let types = entity.types.map { JSON.string(context.compactIRI($0)) }
            out["type"] = types.count == 1 ? types[0] : .array(types)
        }
        if !entity.scopes.isEmpty, !omittedMembers.contains("scope") {
            out["scope"] = entity.scopes.count == 1 ? .string(entity.scopes[0]) : .array(entity.scopes.map(JSON.string))
        }
        if sysAttrs, format != .keyValues {
            if let createdAt = entity.createdAt { out["createdAt"] = .string(createdAt) }
            if let modifiedAt = entity.modifiedAt { out["modifiedAt"] = .string(modifiedAt) }
        }
        for (name, all) in entity.attributes where includes(name) {
            if name == Self.expiresAt {
                if sysAttrs, let value = all.first.flatMap(Self.plainValue) { out["expiresAt"] = value }
                continue
            }
            let instances = selectedInstances(all)
            guard !instances.isEmpty else { continue }
            let key = context.compactIRI(name)
            if format == .keyValues, instances.count > 1 {
                var dataset = JSONObject()
                for instance in instances {
                    dataset[instance.datasetId ?? "@none"] = render(instance, name: name, linked: linked)
                }
                out[key] = ["dataset": .object(dataset)]
                continue
            }
            let rendered = instances.map { render($0, name: name, linked: linked) }
            out[key] = rendered.count == 1 ? rendered[0] : .array(rendered)
        }
        return out
    }

    /// Whether an attribute is part of the response.
    public func includes(_ name: String) -> Bool {
        if omittedAttributes.contains(name) { return false }
        if let attributeSelection { return attributeSelection.contains(name) }
        return true
    }

    /// The instances the `datasetId` filter keeps.
    func selectedInstances(_ instances: [Attribute]) -> [Attribute] {
        guard let datasetIds else { return instances }
        return instances.filter { datasetIds.contains($0.datasetId ?? "@none") }
    }

    /// A system attribute's plain value (`expiresAt` may be stored as a Property or as a bare string).
    static func plainValue(_ attribute: Attribute) -> JSON? {
        attribute.members["value"].map { QueryMatching.unwrapped($0) }
    }

    /// One attribute instance in the chosen representation, without linked entities.
    func render(_ attribute: Attribute) -> JSON { render(attribute, name: nil, linked: [:]) }

    /// One attribute instance in the chosen representation; with `join=inline`, a Relationship named `name`
    /// carries its linked entities.
    func render(_ attribute: Attribute, name: String?, linked: [String: Entity]) -> JSON {
        guard let kind = attribute.kind else { return .object(attribute.members) }
        let inline = inlineTargets(attribute, kind: kind, name: name, linked: linked)
        switch format {
        case .keyValues:
            if let inline { return inline.json }
            return simplifiedValue(attribute, kind: kind)
        case .normalized:
            var members = renderMembers(attribute, kind: kind, keepType: true)
            if let inline { members[inline.member] = inline.json }
            return .object(members)
        case .concise:
            var members = renderMembers(attribute, kind: kind, keepType: false)
            if let inline {
                members[inline.member] = inline.json
                return .object(members)
            }
            if members.count == 1, let only = members["value"], kind == .property || kind == .geoProperty {
                if case .object = only, kind == .property { return .object(members) }
                return only
            }
            return .object(members)
        }
    }

    func renderMembers(_ attribute: Attribute, kind: AttributeKind, keepType: Bool) -> JSONObject {
        var out = JSONObject(minimumCapacity: attribute.members.count)
        for (key, value) in attribute.members {
            switch key {
            case "type":
                if keepType, out["type"] == nil { out["type"] = value }
            case "createdAt", "modifiedAt":
                if sysAttrs { out[key] = value }
            case "expiresAt", Self.expiresAt:
                if sysAttrs {
                    out["expiresAt"] = value.objectValue.flatMap { Self.plainValue(Attribute(members: $0)) } ?? value
                }
            case "vocab":
                out["vocab"] = compactVocab(value)
            case "objectType":
                out["objectType"] = compactVocab(value)
            case "languageMap":
                if let lang, let chosen = Self.pick(language: lang, from: value) {
                    out["type"] = keepType ? "Property" : nil
                    out["value"] = .string(chosen.text)
                    out["lang"] = .string(chosen.tag)
                } else {
                    out["languageMap"] = value
                }
            default:
                if AttributeMembers.reserved.contains(key) {
                    out[key] = value
                } else {
                    let subInstances = value.asArray.compactMap { $0.objectValue.map(Attribute.init(members:)) }
                    let rendered = subInstances.map { render($0) }
                    out[context.compactIRI(key)] = rendered.count == 1 ? rendered[0] : .array(rendered)
                }
            }
        }
        return out
    }

    func simplifiedValue(_ attribute: Attribute, kind: AttributeKind) -> JSON {
        let value = attribute.members[kind.valueMember] ?? .null
        switch kind {
        case .vocabProperty: return ["vocab": compactVocab(value)]
        case .languageProperty:
            if let lang, let chosen = Self.pick(language: lang, from: value) { return .string(chosen.text) }
            return ["languageMap": value]
        case .jsonProperty: return ["json": value]
        case .listRelationship:
            let list = value["@list"] ?? value
            guard let elements = list.arrayValue else { return list }
            return .array(elements.map { $0["object"] ?? $0 })
        case .listProperty: return value["@list"] ?? value
        default: return value
        }
    }

    func compactVocab(_ value: JSON) -> JSON {
        if let text = value.stringValue { return .string(context.compactVocabValue(text)) }
        if let list = value.arrayValue { return .array(list.map { compactVocab($0) }) }
        return value
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
