import OrderedCollections

/// The NGSI-LD write semantics on an entity, as pure functions (ETSI GS CIM 009, 5.6).
extension Entity {
    /// Append Entity Attributes (`POST /entities/{id}/attrs`): adds attributes; an instance with the same
    /// `datasetId` as an existing one replaces it unless `overwrite` is false. Scopes are replaced, or with
    /// `noOverwrite` added to the existing ones.
    /// - Returns: the expanded names that were not written (existing, with `noOverwrite`).
    public mutating func append(_ fragment: EntityFragment, overwrite: Bool, now: String) -> [String] {
        var notUpdated: [String] = []
        for (name, instances) in fragment.attributes {
            if !overwrite, let existing = attributes[name] {
                let datasets = Set(existing.map(\.datasetId))
                let fresh = instances.filter { !datasets.contains($0.datasetId) }
                if fresh.isEmpty { notUpdated.append(name) }
                for instance in fresh { attributes[name]!.append(Entity.cleaned(instance)) }
                continue
            }
            for instance in instances { write(instance, to: name) }
        }
        addTypes(fragment.types)
        if let scopes = fragment.scopes {
            if overwrite {
                self.scopes = scopes
            } else {
                for scope in scopes where !self.scopes.contains(scope) { self.scopes.append(scope) }
            }
        }
        modifiedAt = now
        return notUpdated
    }

    /// Update Entity Attributes (`PATCH /entities/{id}/attrs`, 5.6.2 and 5.5.8): every instance in the fragment
    /// replaces the one with the same `datasetId` (or is added), NGSI-LD Nulls delete, types are added, and the
    /// scope is replaced only where the entity has one.
    /// - Returns: the expanded names that were not updated (a deletion of nothing, a scope the entity lacks).
    public mutating func update(_ fragment: EntityFragment, now: String) -> [String] {
        var notUpdated: [String] = []
        for deletion in fragment.deletions where !remove(deletion) {
            notUpdated.append(deletion.name)
        }
        for (name, instances) in fragment.attributes {
            for instance in instances { write(instance, to: name) }
        }
        addTypes(fragment.types)
        if let scopes = fragment.scopes {
            if self.scopes.isEmpty {
                notUpdated.append("scope")
            } else {
                self.scopes = scopes
            }
        }
        modifiedAt = now
        return notUpdated
    }

    /// Merge Entity (`PATCH /entities/{id}`, 5.6.17): new attributes are added, existing ones are merged member by
    /// member (a compound Property value as a JSON merge patch), and NGSI-LD Nulls delete.
    public mutating func merge(_ fragment: EntityFragment, now: String) {
        for deletion in fragment.deletions { _ = remove(deletion) }
        for (name, instances) in fragment.attributes {
            for instance in instances {
                if let index = attributes[name]?.firstIndex(where: { $0.datasetId == instance.datasetId }) {
                    attributes[name]![index] = Entity.merged(attributes[name]![index], with: instance)
                } else {
                    attributes[name, default: []].append(Entity.cleaned(instance))
                }
            }
        }
        addTypes(fragment.types)
        if let scopes = fragment.scopes { self.scopes = scopes }
        modifiedAt = now
    }

    /// Partial Attribute Update (`PATCH /entities/{id}/attrs/{attrId}`, 5.6.4): overwrites the members the fragment
    /// names on the instance with its `datasetId`, or deletes that instance for an NGSI-LD Null.
    /// - Throws: `ResourceNotFound` if the entity has no such attribute instance; `BadRequestData` from `decoder`.
    public mutating func patchAttribute(
        _ patch: AttributePatch,
        using decoder: EntityDecoder,
        now: String
    ) throws(NGSIError) {
        guard let index = attributes[patch.name]?.firstIndex(where: { $0.datasetId == patch.datasetId }) else {
            throw .notFound("Entity \(id) has no such attribute instance to update")
        }
        if patch.deletesInstance {
            attributes[patch.name]!.remove(at: index)
            if attributes[patch.name]!.isEmpty { attributes[patch.name] = nil }
        } else {
            attributes[patch.name]![index] = try decoder.applying(patch, to: attributes[patch.name]![index])
        }
        modifiedAt = now
    }

    /// Replace Attribute (`PUT /entities/{id}/attrs/{attrId}`).
    /// - Throws: `ResourceNotFound` if the entity has no such attribute.
    public mutating func replaceAttribute(_ name: String, with instances: [Attribute], now: String) throws(NGSIError) {
        guard attributes[name] != nil else { throw .notFound("Entity \(id) has no attribute to replace") }
        for instance in instances { write(instance, to: name) }
        modifiedAt = now
    }

    /// Replace Entity (`PUT /entities/{id}`): all attributes replaced, `createdAt` kept.
    public mutating func replace(with new: Entity, now: String) {
        let created = createdAt
        self = new
        createdAt = created
        modifiedAt = now
    }

    /// Delete Entity Attribute: the default instance, the instance with `datasetId`, or all instances.
    /// - Throws: `ResourceNotFound` if there is nothing to delete.
    public mutating func deleteAttribute(
        _ name: String,
        datasetId: String?,
        deleteAll: Bool,
        now: String
    ) throws(NGSIError) {
        guard var instances = attributes[name] else { throw .notFound("Entity \(id) has no such attribute") }
        if deleteAll {
            attributes[name] = nil
        } else {
            guard let index = instances.firstIndex(where: { $0.datasetId == datasetId }) else {
                throw .notFound("Entity \(id) has no instance of the attribute with that datasetId")
            }
            instances.remove(at: index)
            attributes[name] = instances.isEmpty ? nil : instances
        }
        modifiedAt = now
    }

    /// Removes what a deletion names. - Returns: whether there was something to remove.
    mutating func remove(_ deletion: AttributeDeletion) -> Bool {
        guard var instances = attributes[deletion.name] else { return false }
        if deletion.allInstances {
            attributes[deletion.name] = nil
            return true
        }
        guard let index = instances.firstIndex(where: { $0.datasetId == deletion.datasetId }) else { return false }
        instances.remove(at: index)
        attributes[deletion.name] = instances.isEmpty ? nil : instances
        return true
    }

    /// Writes an instance over the one with the same `datasetId` (keeping its `createdAt`), or adds it.
    mutating func write(_ instance: Attribute, to name: String) {
        var instance = Entity.cleaned(instance)
        // One lookup of the name; the instances are then changed in place.
        guard let slot = attributes.index(forKey: name) else {
            attributes[name] = [instance]
            return
        }
        let datasetId = instance.datasetId
        if let index = attributes.values[slot].firstIndex(where: { $0.datasetId == datasetId }) {
            if let created = attributes.values[slot][index].members["createdAt"] {
                instance.members["createdAt"] = created
            }
            attributes.values[slot][index] = instance
        } else {
            attributes.values[slot].append(instance)
        }
    }

    mutating func addTypes(_ newTypes: [String]?) {
        for type in newTypes ?? [] where !types.contains(type) { types.append(type) }
    }

    /// `instance` without deletion markers: sub-attributes marked `null` and NGSI-LD Nulls inside its value
    /// (which only a merge admits) are dropped.
    static func cleaned(_ instance: Attribute) -> Attribute {
        var members = instance.members
        for (key, value) in instance.members {
            if value.isNull {
                members[key] = nil
            } else if key == "value", containsNullMarker(value) {
                members[key] = mergePatched(nil, with: value)
            } else if case .object(let sub) = value, !AttributeMembers.reserved.contains(key) {
                members[key] = .object(cleaned(Attribute(members: sub)).members)
            }
        }
        return Attribute(members: members)
    }

    /// `patch`'s members over `base`'s (Merge Entity): sub-attributes merged recursively, a sub-attribute mapped to
    /// `null` removed, a compound Property value merged as RFC 7396 merge patch, `createdAt` kept.
    static func merged(_ base: Attribute, with patch: Attribute) -> Attribute {
        var members = base.members
        let baseKind = base.kind
        for (key, value) in patch.members {
            if key == "createdAt" { continue }
            if value.isNull {
                members[key] = nil
            } else if key == "value", patch.kind == .property, baseKind == .property {
                members[key] = mergePatched(members[key], with: value)
            } else if !AttributeMembers.reserved.contains(key), case .object(let sub) = value,
                case .object(let existing)? = members[key]
            {
                members[key] = .object(merged(Attribute(members: existing), with: Attribute(members: sub)).members)
            } else if !AttributeMembers.reserved.contains(key), case .object = value {
                members[key] = .object(cleaned(Attribute(members: value.objectValue ?? [:])).members)
            } else {
                members[key] = value
            }
        }
        if let kind = patch.kind, kind != baseKind {
            for other in AttributeKind.allCases where other.valueMember != kind.valueMember {
                members[other.valueMember] = nil
            }
        }
        return Attribute(members: members)
    }

    static func containsNullMarker(_ value: JSON) -> Bool {
        switch value {
        case .string(let text): text == NameRules.null
        case .array(let elements): elements.contains(where: containsNullMarker)
        case .object(let object): object.values.contains(where: containsNullMarker)
        default: false
        }
    }

    /// RFC 7396 on JSON values: objects merge key by key, `null` and the NGSI-LD Null remove a key, anything else
    /// replaces. With no `target`, it strips the removal markers from `patch`.
    static func mergePatched(_ target: JSON?, with patch: JSON) -> JSON {
        guard case .object(let changes) = patch else { return patch }
        var result: JSONObject
        if case .object(let existing)? = target { result = existing } else { result = [:] }
        for (key, value) in changes {
            if value.isNull || value.stringValue == NameRules.null {
                result[key] = nil
            } else {
                result[key] = mergePatched(result[key], with: value)
            }
        }
        return .object(result)
    }
}
