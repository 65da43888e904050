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

    public var context: JSONLDContext
    public var format: Format
    /// Include `createdAt` / `modifiedAt` (`options=sysAttrs`).
    public var sysAttrs: Bool
    /// The preferred language(s) for LanguageProperties (`lang=ja,en` or `*`).
    public var lang: String?
    /// Expanded names of the attributes to include (`attrs` / `pick`); `nil` for all.
    public var attributeSelection: Set<String>?
    /// Expanded names of the attributes to leave out (`omit`).
    public var omittedAttributes: Set<String>
    /// Entity members (`id`, `type`, `scope`) to leave out (`omit`, or absent from `pick`).
    public var omittedMembers: Set<String>

    public init(
        context: JSONLDContext,
        format: Format = .normalized,
        sysAttrs: Bool = false,
        lang: String? = nil,
        attributeSelection: Set<String>? = nil,
        omittedAttributes: Set<String> = [],
        omittedMembers: Set<String> = []
    ) {
        self.context = context
        self.format = format
        self.sysAttrs = sysAttrs
        self.lang = lang
        self.attributeSelection = attributeSelection
        self.omittedAttributes = omittedAttributes
        self.omittedMembers = omittedMembers
    }

    /// The entity as a JSON object (without `@context`; the caller adds it for `application/ld+json`).
    public func encode(_ entity: Entity) -> JSONObject {
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
        for (name, instances) in entity.attributes where includes(name) {
            let rendered = instances.map { render($0) }
            out[context.compactIRI(name)] = rendered.count == 1 ? rendered[0] : .array(rendered)
        }
        return out
    }

    /// Whether an attribute is part of the response.
    public func includes(_ name: String) -> Bool {
        if omittedAttributes.contains(name) { return false }
        if let attributeSelection { return attributeSelection.contains(name) }
        return true
    }

    /// One attribute instance in the chosen representation.
    func render(_ attribute: Attribute) -> JSON {
        guard let kind = attribute.kind else { return .object(attribute.members) }
        switch format {
        case .keyValues:
            return simplifiedValue(attribute, kind: kind)
        case .normalized:
            return .object(renderMembers(attribute, kind: kind, keepType: true))
        case .concise:
            let members = renderMembers(attribute, kind: kind, keepType: false)
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
        case .listRelationship: return ["objectList": value]
        case .listProperty: return value
        default: return value
        }
    }

    func compactVocab(_ value: JSON) -> JSON {
        if let text = value.stringValue { return .string(context.compactVocabValue(text)) }
        if let list = value.arrayValue { return .array(list.map { compactVocab($0) }) }
        return value
    }

    /// The best string of a language map for `lang` (`ja`, `ja,en`, `*`): an exact tag, then `@none`, then any.
    static func pick(language lang: String, from map: JSON) -> (tag: String, text: String)? {
        guard case .object(let object) = map, !object.isEmpty else { return nil }
        if lang == "*" { return nil }
        let wanted = lang.split(separator: ",").map { $0.split(separator: ";")[0].trimmingWhitespace() }
        for tag in wanted {
            if let text = object[tag].flatMap(firstString) { return (tag, text) }
        }
        if let text = object["@none"].flatMap(firstString) { return ("@none", text) }
        guard let (tag, value) = object.elements.first, let text = firstString(value) else { return nil }
        return (tag, text)
    }

    static func firstString(_ value: JSON) -> String? { value.stringValue ?? value.arrayValue?.first?.stringValue }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
