public import OrderedCollections

/// A decoded Partial Attribute Update (`PATCH /entities/{id}/attrs/{attrId}`, 5.6.4): the members to overwrite on
/// the instance with `datasetId`, or its deletion.
public struct AttributePatch: Sendable {
    /// The expanded attribute name.
    public var name: String
    public var datasetId: String?
    /// The kind the fragment states (`type`), if any.
    public var kind: AttributeKind?
    /// Expanded members to overwrite; a sub-attribute mapped to JSON `null` is deleted.
    public var members: JSONObject
    /// The fragment's value is the NGSI-LD Null: delete the instance.
    public var deletesInstance: Bool
}

extension EntityDecoder {
    /// Decodes an attribute fragment for a partial update: any subset of an attribute's members.
    public func attributePatch(named name: String, _ json: JSON) throws(NGSIError) -> AttributePatch {
        let label = context.compactIRI(name)
        guard case .object(var object) = json else {
            throw .badRequestData("The fragment must be a JSON object, not \(json.kindName)")
        }
        object["@context"] = nil
        guard !object.isEmpty else { throw .badRequestData("The fragment is empty") }
        var patch = AttributePatch(
            name: name,
            datasetId: try datasetId(object["datasetId"], label: label),
            kind: nil,
            members: [:],
            deletesInstance: false
        )
        if let type = object["type"] {
            guard let text = type.stringValue, let kind = AttributeKind(rawValue: text) else {
                throw .badRequestData("Attribute \(label) has an invalid type \(type)")
            }
            patch.kind = kind
        }
        for (key, member) in object {
            if key == "type" || key == "datasetId" || AttributeMembers.systemMembers.contains(key) { continue }
            if let kind = AttributeKind.allCases.first(where: { $0.valueMember == key }) {
                if isDeletionMarker(member, kind: kind) {
                    patch.deletesInstance = true
                    continue
                }
                patch.members[key] = member
                continue
            }
            if AttributeMembers.reserved.contains(key) {
                patch.members[key] = member
                continue
            }
            guard NameRules.isValidTerm(key) else { throw .badRequestData("Invalid sub-attribute name \"\(key)\"") }
            let expanded = context.expandTerm(key)
            if isNullMarker(member) {
                patch.members[expanded] = .null
                continue
            }
            switch try instance(of: expanded, member, nulls: .deleteAttributes) {
            case .write(let sub): patch.members[expanded] = .object(sub.members)
            case .delete: patch.members[expanded] = .null
            }
        }
        return patch
    }

    /// `existing` with `patch` applied: the members it names overwritten, the kind kept, the result re-validated.
    /// - Throws: `BadRequestData` if the fragment states another kind or leaves the attribute invalid.
    public func applying(_ patch: AttributePatch, to existing: Attribute) throws(NGSIError) -> Attribute {
        let label = context.compactIRI(patch.name)
        guard let kind = existing.kind else { throw .badRequestData("Attribute \(label) has no type") }
        if let stated = patch.kind, stated != kind {
            throw .badRequestData("Attribute \(label) is a \(kind.rawValue), not a \(stated.rawValue)")
        }
        var input = existing.members
        for (key, value) in patch.members {
            if value.isNull {
                input[key] = nil
            } else {
                input[key] = value
            }
        }
        let created = existing.members["createdAt"]
        var members = try normalized(input, kind: kind, name: patch.name, label: label, nulls: .deleteAttributes)
        if let created { members["createdAt"] = created }
        return Attribute(members: members)
    }
}
