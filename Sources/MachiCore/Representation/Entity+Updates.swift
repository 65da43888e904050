import OrderedCollections

/// The NGSI-LD write semantics on an entity, as pure functions (ETSI GS CIM 009, 5.6).
extension Entity {
    /// Append Entity Attributes (`POST /entities/{id}/attrs`): adds attributes; an instance with the same
    /// `datasetId` as an existing one replaces it unless `overwrite` is false.
    /// - Returns: the expanded names that were not written (existing, with `noOverwrite`).
    public mutating func append(_ fragment: EntityFragment, overwrite: Bool, now: String) -> [String] {
        var notUpdated: [String] = []
        for (name, instances) in fragment.attributes {
            if !overwrite, attributes[name] != nil {
                let existing = Set(attributes[name]!.map(\.datasetId))
                if instances.allSatisfy({ existing.contains($0.datasetId) }) {
                    notUpdated.append(name)
                    continue
                }
                for instance in instances where !existing.contains(instance.datasetId) {
                    attributes[name]!.append(instance)
                }
                continue
            }
            for instance in instances { write(instance, to: name) }
        }
        addTypes(fragment.types)
        if let scopes = fragment.scopes { self.scopes = scopes }
        modifiedAt = now
        return notUpdated
    }

    /// Update Entity Attributes (`PATCH /entities/{id}/attrs`): replaces existing attributes only.
    /// - Returns: the expanded names that do not exist (not updated).
    public mutating func update(_ fragment: EntityFragment, now: String) -> [String] {
        var notUpdated: [String] = []
        for (name, instances) in fragment.attributes {
            guard let existing = attributes[name] else {
                notUpdated.append(name)
                continue
            }
            let datasets = Set(existing.map(\.datasetId))
            var wrote = false
            for instance in instances where datasets.contains(instance.datasetId) {
                write(instance, to: name)
                wrote = true
            }
            if !wrote { notUpdated.append(name) }
        }
        modifiedAt = now
        return notUpdated
    }

    /// Merge Entity (`PATCH /entities/{id}`): new attributes are added, existing ones are merged member by member,
    /// and `null` deletes.
    public mutating func merge(_ fragment: EntityFragment, now: String) {
        for name in fragment.deletions { attributes[name] = nil }
        for (name, instances) in fragment.attributes {
            for instance in instances {
                if let index = attributes[name]?.firstIndex(where: { $0.datasetId == instance.datasetId }) {
                    attributes[name]![index] = Entity.merged(attributes[name]![index], with: instance)
                } else {
                    attributes[name, default: []].append(instance)
                }
            }
        }
        addTypes(fragment.types)
        if let scopes = fragment.scopes { self.scopes = scopes }
        modifiedAt = now
    }

    /// Partial Attribute Update (`PATCH /entities/{id}/attrs/{attrId}`): merges the given members into the existing
    /// instance with the same `datasetId`.
    /// - Throws: `ResourceNotFound` if the entity has no such attribute instance.
    public mutating func patchAttribute(_ name: String, with instances: [Attribute], now: String) throws(NGSIError) {
        for instance in instances {
            guard let index = attributes[name]?.firstIndex(where: { $0.datasetId == instance.datasetId }) else {
                throw .notFound("Entity \(id) has no attribute instance to update")
            }
            attributes[name]![index] = Entity.merged(attributes[name]![index], with: instance, keepKind: true)
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

    /// Writes an instance over the one with the same `datasetId` (keeping its `createdAt`), or adds it.
    mutating func write(_ instance: Attribute, to name: String) {
        var instance = instance
        if let index = attributes[name]?.firstIndex(where: { $0.datasetId == instance.datasetId }) {
            if let created = attributes[name]![index].members["createdAt"] { instance.members["createdAt"] = created }
            attributes[name]![index] = instance
        } else {
            attributes[name, default: []].append(instance)
        }
    }

    mutating func addTypes(_ newTypes: [String]?) {
        for type in newTypes ?? [] where !types.contains(type) { types.append(type) }
    }

    /// `patch`'s members over `base`'s: sub-attributes merged recursively, `createdAt` kept.
    static func merged(_ base: Attribute, with patch: Attribute, keepKind: Bool = false) -> Attribute {
        var members = base.members
        let baseKind = base.kind
        for (key, value) in patch.members {
            if key == "createdAt" { continue }
            if keepKind, key == "type", let baseKind, value.stringValue != baseKind.rawValue {
                if let patchKind = patch.kind, let held = patch.members[patchKind.valueMember] {
                    members[baseKind.valueMember] = held
                }
                continue
            }
            if !AttributeMembers.reserved.contains(key), case .object(let sub) = value,
                case .object(let existing)? = members[key]
            {
                members[key] = .object(merged(Attribute(members: existing), with: Attribute(members: sub)).members)
            } else {
                members[key] = value
            }
        }
        if let kind = patch.kind, !keepKind, kind != baseKind {
            for other in AttributeKind.allCases where other.valueMember != kind.valueMember {
                members[other.valueMember] = nil
            }
        }
        return Attribute(members: members)
    }
}
