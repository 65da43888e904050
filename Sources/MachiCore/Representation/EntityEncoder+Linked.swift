public import OrderedCollections

extension EntityEncoder {
    /// The encoder for the entities linked through the Relationship `name`: one join level less, with the
    /// `rel{…}` projections of `pick` / `omit` (everything when there are none).
    public func linkedEncoder(through name: String) -> EntityEncoder {
        var encoder = EntityEncoder(context: context, format: format, sysAttrs: sysAttrs, lang: lang)
        encoder.join = join
        encoder.joinLevel = joinLevel - 1
        encoder.project(pick: linkedPick[name], omit: linkedOmit[name])
        return encoder
    }

    /// The ids the Relationship or ListRelationship instance points to.
    static func targets(of attribute: Attribute) -> [String] {
        QueryExpression.objects(of: "", in: Entity(id: "", types: [], attributes: ["": [attribute]]))
    }

    /// With `join=inline`: the member (`entity` or `entityList`) and value to add to a Relationship instance,
    /// or, in the simplified representation, its replacement. `nil` when nothing is linked.
    func inlineTargets(
        _ attribute: Attribute,
        kind: AttributeKind,
        name: String?,
        linked: [String: Entity]
    ) -> (member: String, json: JSON)? {
        guard join == .inline, joinLevel > 0, let name, kind == .relationship || kind == .listRelationship else {
            return nil
        }
        let child = linkedEncoder(through: name)
        let ids = Self.targets(of: attribute)
        let entities: [JSON] = ids.compactMap { id in linked[id].map { .object(child.encode($0, linked: linked)) } }
        guard !entities.isEmpty else { return nil }
        if kind == .relationship, ids.count == 1 { return ("entity", entities[0]) }
        return ("entityList", .array(entities))
    }

    /// `join=flat`: the entities, then every entity they link to (up to `joinLevel` hops, each once, in the order
    /// found), each projected for the path it was first reached by.
    public func flatten(_ entities: [Entity], linked: [String: Entity]) -> [JSONObject] {
        var plain = self
        plain.join = nil
        var out = entities.map { plain.encode($0) }
        var seen = Set(entities.map(\.id))
        var level: [(Entity, EntityEncoder)] = entities.map { ($0, self) }
        var depth = 0
        while depth < joinLevel, !level.isEmpty {
            depth += 1
            var next: [(Entity, EntityEncoder)] = []
            for (entity, encoder) in level {
                for (name, instances) in entity.attributes where encoder.includes(name) {
                    let child = encoder.linkedEncoder(through: name)
                    for instance in encoder.selectedInstances(instances) {
                        guard instance.kind == .relationship || instance.kind == .listRelationship else { continue }
                        for id in Self.targets(of: instance) where !seen.contains(id) {
                            guard let target = linked[id] else { continue }
                            seen.insert(id)
                            var rendering = child
                            rendering.join = nil
                            out.append(rendering.encode(target))
                            next.append((target, child))
                        }
                    }
                }
            }
            level = next
        }
        return out
    }

    /// The entities `roots` link to, up to `levels` hops, read with `fetch` (ids in, existing entities out).
    public static func collectLinked(
        from roots: [Entity],
        levels: Int,
        fetch: ([String]) async throws -> [Entity]
    ) async rethrows -> [String: Entity] {
        var found: [String: Entity] = [:]
        var known = Set(roots.map(\.id))
        var frontier = roots
        for _ in 0..<max(0, levels) {
            var wanted: [String] = []
            for entity in frontier {
                for instances in entity.attributes.values {
                    for instance in instances where instance.kind == .relationship || instance.kind == .listRelationship
                    {
                        for id in targets(of: instance) where !known.contains(id) {
                            known.insert(id)
                            wanted.append(id)
                        }
                    }
                }
            }
            guard !wanted.isEmpty else { break }
            frontier = try await fetch(wanted)
            for entity in frontier { found[entity.id] = entity }
        }
        for root in roots where found[root.id] == nil { found[root.id] = root }
        return found
    }
}
