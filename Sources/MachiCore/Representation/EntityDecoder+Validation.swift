import OrderedCollections

extension EntityDecoder {
    /// Validates an entity id: a URI that is not the NGSI-LD Null (4.5.1).
    public func entityId(_ value: JSON?) throws(NGSIError) -> String {
        guard let value else { throw .badRequestData("The entity has no id") }
        guard let id = value.stringValue else {
            throw .badRequestData("The entity id must be a string, not \(value.kindName)")
        }
        guard NameRules.isEntityId(id) else { throw .badRequestData("The entity id \"\(id)\" is not a URI") }
        return id
    }

    /// Validates and expands an entity type member (a string or an array of strings).
    public func types(_ value: JSON) throws(NGSIError) -> [String] {
        let names: [JSON] = value.asArray
        guard !names.isEmpty else { throw .badRequestData("The entity type must not be empty") }
        var result: [String] = []
        for name in names {
            guard let text = name.stringValue, NameRules.isValidTerm(text) else {
                throw .badRequestData("Invalid entity type \(name)")
            }
            let expanded = context.expandTerm(text)
            guard !expanded.hasPrefix("@") else {
                throw .badRequestData("\(text) is a JSON-LD keyword, not an entity type")
            }
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
        guard !result.isEmpty else { throw .badRequestData("The scope must not be empty") }
        return result
    }

    static func isValidScope(_ scope: String) -> Bool {
        guard scope.hasPrefix("/"), scope.count > 1, !scope.hasSuffix("/") else { return false }
        return scope.split(separator: "/", omittingEmptySubsequences: false).dropFirst().allSatisfy {
            !$0.isEmpty && NameRules.isValidName(String($0)) && $0 != "#" && $0 != "+"
        }
    }

    /// A `datasetId` member: absent or `@none` for the default instance, else a URI (never the NGSI-LD Null).
    func datasetId(_ value: JSON?, label: String) throws(NGSIError) -> String? {
        guard let value else { return nil }
        guard let text = value.stringValue, text == "@none" || NameRules.isEntityId(text) else {
            throw .badRequestData("datasetId of \(label) must be a URI")
        }
        return text == "@none" ? nil : text
    }

    /// Checks the kind's value member and metadata; normalizes the value (VocabProperty expansion, string-encoded
    /// geometries, ListRelationship entries).
    func validate(
        _ members: inout JSONObject,
        kind: AttributeKind,
        label: String,
        nulls: NullHandling
    ) throws(NGSIError) {
        guard var value = members[kind.valueMember] else {
            throw .badRequestData("\(kind.rawValue) \(label) has no \(kind.valueMember)")
        }
        switch kind {
        case .property:
            if value.isNull { throw .badRequestData("Property \(label) has a null value") }
            if nulls != .merge, Self.containsNull(value) {
                throw .badRequestData("The value of Property \(label) holds the NGSI-LD Null")
            }
        case .relationship:
            let objects = value.asArray
            guard !objects.isEmpty, objects.allSatisfy({ $0.stringValue.map(NameRules.isEntityId) ?? false }) else {
                throw .badRequestData("Relationship \(label) must have an object that is a URI")
            }
        case .geoProperty:
            if let text = value.stringValue {
                guard let parsed = try? JSONParser.parse(text), parsed.objectValue != nil else {
                    throw .badRequestData("GeoProperty \(label) has a value that is not a GeoJSON geometry")
                }
                value = parsed
                members["value"] = parsed
            }
            do {
                _ = try Geometry(geoJSON: value)
            } catch {
                throw .badRequestData("GeoProperty \(label) has an invalid GeoJSON value: \(error.detail)")
            }
        case .languageProperty:
            guard case .object(let map) = value, !map.isEmpty,
                map.allSatisfy({ tag, text in
                    !tag.isEmpty
                        && (text.stringValue != nil
                            || (text.arrayValue.map { !$0.isEmpty && $0.allSatisfy { $0.stringValue != nil } } ?? false))
                })
            else { throw .badRequestData("LanguageProperty \(label) needs a languageMap of language tags to strings") }
            if map.values.contains(where: { $0.asArray.contains { $0.stringValue == NameRules.null } }) {
                throw .badRequestData("The languageMap of \(label) holds the NGSI-LD Null")
            }
            if let valueType = members["valueType"],
                !(valueType.stringValue.map { AttributeMembers.langStringNames.contains($0) } ?? false)
            {
                throw .badRequestData("The valueType of LanguageProperty \(label) must be langString")
            }
        case .vocabProperty:
            var expanded: [JSON] = []
            for element in value.asArray {
                guard let text = element.stringValue, !text.isEmpty else {
                    throw .badRequestData("VocabProperty \(label) needs string vocab values")
                }
                expanded.append(.string(context.expandVocabValue(text)))
            }
            guard !expanded.isEmpty else { throw .badRequestData("VocabProperty \(label) needs a vocab value") }
            members["vocab"] = value.arrayValue == nil ? expanded[0] : .array(expanded)
        case .jsonProperty:
            let isObject = value.objectValue != nil
            let isObjects = value.arrayValue.map { $0.allSatisfy { $0.objectValue != nil } } ?? false
            guard isObject || isObjects else {
                throw .badRequestData("JsonProperty \(label) needs a JSON object (or array of objects) as json")
            }
        case .listProperty:
            guard value.arrayValue != nil || value["@list"]?.arrayValue != nil else {
                throw .badRequestData("ListProperty \(label) needs an array valueList")
            }
            if nulls != .merge, Self.containsNull(value) {
                throw .badRequestData("The valueList of \(label) holds the NGSI-LD Null")
            }
        case .listRelationship:
            guard let list = value.arrayValue ?? value["@list"]?.arrayValue else {
                throw .badRequestData("ListRelationship \(label) needs an array objectList")
            }
            var entries: [JSON] = []
            for element in list {
                let object = element["object"]?.stringValue ?? element.stringValue
                guard let object, NameRules.isEntityId(object) else {
                    throw .badRequestData("ListRelationship \(label) has an objectList entry that is not a URI")
                }
                entries.append(["object": .string(object)])
            }
            members["objectList"] = .array(entries)
        }
        if let observedAt = members["observedAt"] {
            guard let text = observedAt.stringValue, DateTimeText.isValidUTC(text) else {
                throw .badRequestData("observedAt of \(label) must be a DateTime in UTC (ending in Z)")
            }
        }
        if let unitCode = members["unitCode"], unitCode.stringValue?.isEmpty ?? true {
            throw .badRequestData("unitCode of \(label) must be a string")
        }
        if let valueType = members["valueType"], valueType.stringValue?.isEmpty ?? true {
            throw .badRequestData("valueType of \(label) must be a string")
        }
        if let objectType = members["objectType"] {
            let names = objectType.asArray
            guard !names.isEmpty, names.allSatisfy({ $0.stringValue.map(NameRules.isValidTerm) ?? false }) else {
                throw .badRequestData("objectType of \(label) must be an entity type name")
            }
        }
        if members["datasetId"] != nil {
            if let id = try datasetId(members["datasetId"], label: label) {
                members["datasetId"] = .string(id)
            } else {
                members["datasetId"] = nil
            }
        }
    }

    /// Whether `value` holds the NGSI-LD Null at any depth.
    static func containsNull(_ value: JSON) -> Bool {
        switch value {
        case .string(let text): text == NameRules.null
        case .array(let elements): elements.contains(where: containsNull)
        case .object(let object): object.values.contains(where: containsNull)
        default: false
        }
    }
}
