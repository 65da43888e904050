import OrderedCollections

extension EntityDecoder {
    /// Validates an entity id: a URI.
    public func entityId(_ value: JSON?) throws(NGSIError) -> String {
        guard let value else { throw .badRequestData("The entity has no id") }
        guard let id = value.stringValue else {
            throw .badRequestData("The entity id must be a string, not \(value.kindName)")
        }
        guard NameRules.isURI(id) else { throw .badRequestData("The entity id \"\(id)\" is not a URI") }
        return id
    }

    /// Validates and expands an entity type member (a string or an array of strings).
    public func types(_ value: JSON) throws(NGSIError) -> [String] {
        let names: [JSON] = value.asArray
        guard !names.isEmpty else { throw .badRequestData("The entity type must not be empty") }
        var result: [String] = []
        for name in names {
            guard let text = name.stringValue, NameRules.isValidName(text) else {
                throw .badRequestData("Invalid entity type \(name)")
            }
            let expanded = context.expandTerm(text)
            if !result.contains(expanded) { result.append(expanded) }
        }
        return result
    }

    /// Validates a scope member (a string or an array of `/`-separated scope paths).
    public func scopes(_ value: JSON) throws(NGSIError) -> [String] {
        var result: [String] = []
        for element in value.asArray {
            guard let scope = element.stringValue, EntityDecoder.isValidScope(scope) else {
                throw .badRequestData("Invalid scope \(element)")
            }
            if !result.contains(scope) { result.append(scope) }
        }
        return result
    }

    static func isValidScope(_ scope: String) -> Bool {
        guard scope.hasPrefix("/"), scope.count > 1, !scope.hasSuffix("/") else { return false }
        return scope.split(separator: "/", omittingEmptySubsequences: false).dropFirst().allSatisfy {
            !$0.isEmpty && NameRules.isValidName(String($0)) && $0 != "#" && $0 != "+"
        }
    }

    /// Checks the kind's value member and metadata; expands VocabProperty values.
    func validate(_ members: inout JSONObject, kind: AttributeKind, label: String) throws(NGSIError) {
        guard let value = members[kind.valueMember] else {
            throw .badRequestData("\(kind.rawValue) \(label) has no \(kind.valueMember)")
        }
        switch kind {
        case .property:
            if value.isNull { throw .badRequestData("Property \(label) has a null value") }
        case .relationship:
            let objects = value.asArray
            guard !objects.isEmpty, objects.allSatisfy({ $0.stringValue.map(NameRules.isURI) ?? false }) else {
                throw .badRequestData("Relationship \(label) must have an object that is a URI")
            }
        case .geoProperty:
            do {
                _ = try Geometry(geoJSON: value)
            } catch {
                throw .badRequestData("GeoProperty \(label) has an invalid GeoJSON value: \(error.detail)")
            }
        case .languageProperty:
            guard case .object(let map) = value,
                map.values.allSatisfy({
                    $0.stringValue != nil || ($0.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false)
                })
            else { throw .badRequestData("LanguageProperty \(label) needs a languageMap of language tags to strings") }
        case .vocabProperty:
            var expanded: [JSON] = []
            for element in value.asArray {
                guard let text = element.stringValue, !text.isEmpty else {
                    throw .badRequestData("VocabProperty \(label) needs string vocab values")
                }
                expanded.append(.string(context.expandVocabValue(text)))
            }
            members["vocab"] = value.arrayValue == nil ? expanded[0] : .array(expanded)
        case .jsonProperty:
            if value.isNull { throw .badRequestData("JsonProperty \(label) has a null json") }
        case .listProperty:
            guard value.arrayValue != nil || value["@list"]?.arrayValue != nil else {
                throw .badRequestData("ListProperty \(label) needs an array valueList")
            }
        case .listRelationship:
            guard let list = value.arrayValue else {
                throw .badRequestData("ListRelationship \(label) needs an array objectList")
            }
            for element in list {
                let object = element["object"]?.stringValue ?? element.stringValue
                guard let object, NameRules.isURI(object) else {
                    throw .badRequestData("ListRelationship \(label) has an objectList entry that is not a URI")
                }
            }
        }
        if let observedAt = members["observedAt"] {
            guard let text = observedAt.stringValue, DateTimeText.isValid(text) else {
                throw .badRequestData("observedAt of \(label) must be an ISO 8601 DateTime")
            }
        }
        if let unitCode = members["unitCode"], unitCode.stringValue == nil {
            throw .badRequestData("unitCode of \(label) must be a string")
        }
        if let datasetId = members["datasetId"] {
            guard let text = datasetId.stringValue, NameRules.isURI(text) else {
                throw .badRequestData("datasetId of \(label) must be a URI")
            }
        }
    }
}
