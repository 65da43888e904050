import OrderedCollections

/// A value a query term compares: the value of a Property, the object of a Relationship, a metadata member, …
struct QueryTarget {
    /// Relationship and ListRelationship objects admit only `==` and `!=` (4.9).
    var isRelationship: Bool
    var value: JSON
}

extension AttributePath {
    /// Normalized member names that a sub-attribute position addresses directly (and that are never expanded).
    public static let metadataNames: Set<String> = [
        "type", "value", "object", "languageMap", "vocab", "json", "valueList", "objectList",
        "observedAt", "createdAt", "modifiedAt", "deletedAt", "unitCode", "datasetId", "objectType", "lang",
    ]

    /// Entity members a top-level path addresses when the entity has no attribute of that name.
    static let entityTimestampNames: Set<String> = ["createdAt", "modifiedAt"]

    /// Whether the target element exists (a term without comparison).
    func exists(in entity: Entity) -> Bool {
        if subAttributes.isEmpty && compound.isEmpty {
            if let instances = entity.attributes[attribute], !instances.isEmpty { return true }
            return entityTimestamp(of: entity) != nil
        }
        var found = false
        forEachTarget(in: entity) { _ in
            found = true
            return false
        }
        return found
    }

    /// Calls `body` with each target value, over all instances (datasetIds), until it returns `false`.
    func forEachTarget(in entity: Entity, _ body: (QueryTarget) -> Bool) {
        guard let instances = entity.attributes[attribute], !instances.isEmpty else {
            if subAttributes.isEmpty, compound.isEmpty, let timestamp = entityTimestamp(of: entity) {
                _ = body(QueryTarget(isRelationship: false, value: .string(timestamp)))
            }
            return
        }
        for instance in instances {
            guard visit(instance.members, depth: 0, body) else { return }
        }
    }

    private func entityTimestamp(of entity: Entity) -> String? {
        switch attribute {
        case "createdAt": entity.createdAt
        case "modifiedAt": entity.modifiedAt
        default: nil
        }
    }

    /// Walks the sub-attribute names from `depth`; returns `false` once `body` asked to stop.
    private func visit(_ element: JSONObject, depth: Int, _ body: (QueryTarget) -> Bool) -> Bool {
        guard depth < subAttributes.count else { return terminal(element, body) }
        let name = subAttributes[depth]
        guard let member = element[name] else { return true }
        if depth == subAttributes.count - 1, AttributePath.metadataNames.contains(name) {
            guard let value = navigate(member, compound[...]) else { return true }
            return body(QueryTarget(isRelationship: name == "object" || name == "objectList", value: value))
        }
        for child in member.asArray {
            guard case .object(let object) = child else { continue }
            guard visit(object, depth: depth + 1, body) else { return false }
        }
        return true
    }

    /// The target value(s) of one attribute instance or sub-attribute.
    private func terminal(_ element: JSONObject, _ body: (QueryTarget) -> Bool) -> Bool {
        let kind = element["type"]?.stringValue.flatMap(AttributeKind.init(rawValue:)) ?? Self.inferredKind(element)
        guard let kind, let value = element[kind.valueMember] else { return true }
        switch kind {
        case .relationship:
            guard compound.isEmpty else { return true }
            return body(QueryTarget(isRelationship: true, value: value))
        case .listRelationship:
            guard compound.isEmpty, case .array(let list) = Self.unwrapList(value) else { return true }
            let objects = list.map { $0["object"] ?? $0 }
            return body(QueryTarget(isRelationship: true, value: .array(objects)))
        case .languageProperty:
            guard let target = Self.languageTarget(value, compound) else { return true }
            return body(QueryTarget(isRelationship: false, value: target))
        case .listProperty:
            guard let target = navigate(Self.unwrapList(value), compound[...]) else { return true }
            return body(QueryTarget(isRelationship: false, value: target))
        case .property, .geoProperty, .vocabProperty, .jsonProperty:
            guard let target = navigate(value, compound[...]) else { return true }
            return body(QueryTarget(isRelationship: false, value: target))
        }
    }

    /// The kind of an element without a (known) `type`, from the value member it has.
    private static func inferredKind(_ element: JSONObject) -> AttributeKind? {
        AttributeKind.allCases.first { element[$0.valueMember] != nil }
    }

    /// `{"@list": [...]}` → `[...]`.
    private static func unwrapList(_ value: JSON) -> JSON { value["@list"] ?? value }

    /// The languageMap values for no key or `[*]` (one array, so that `!=` needs every language to differ), or the
    /// value of one language tag (matched case-insensitively, as BCP 47 tags are).
    private static func languageTarget(_ map: JSON, _ keys: [String]) -> JSON? {
        guard case .object(let languages) = map else { return nil }
        guard let key = keys.first, key != "*" else {
            guard keys.count <= 1 else { return nil }
            return .array(languages.values.flatMap(\.asArray))
        }
        guard keys.count == 1 else { return nil }
        if let value = languages[key] { return value }
        let lowered = key.lowercased()
        return languages.first { $0.key.lowercased() == lowered }?.value
    }

    /// Evaluates the compound keys as an ECMAScript member expression; `nil` when undefined.
    private func navigate(_ value: JSON, _ keys: ArraySlice<String>) -> JSON? {
        var current = value
        for key in keys {
            switch current {
            case .object(let object):
                if let next = object[key] {
                    current = next
                } else if let inner = object["@value"], let next = inner[key] {
                    current = next
                } else {
                    return nil
                }
            case .array(let array):
                guard let index = Int(key), array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }
}
