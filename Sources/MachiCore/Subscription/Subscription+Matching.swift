public import Foundation
import OrderedCollections

/// Why a change notifies a subscription, and what the notification shows.
public struct NotificationCause: Sendable {
    /// One attribute instance a change removed.
    public struct DeletedInstance: Sendable, Hashable {
        public var name: String
        public var datasetId: String?

        public init(name: String, datasetId: String?) {
            self.name = name
            self.datasetId = datasetId
        }
    }

    public var reason: NotificationTrigger
    /// The entity after the change; before it, for a deletion.
    public var entity: Entity
    /// The entity before the change (for `showChanges` and the kinds of deleted attributes), if it existed.
    public var previous: Entity?
    /// Instances the change removed: shown with an NGSI-LD Null value.
    public var deletedInstances: [DeletedInstance]
    /// The whole entity was deleted: the notification shows `deletedAt` and only the deleted instances.
    public var entityDeleted: Bool

    public init(
        reason: NotificationTrigger,
        entity: Entity,
        previous: Entity?,
        deletedInstances: [DeletedInstance] = [],
        entityDeleted: Bool = false
    ) {
        self.reason = reason
        self.entity = entity
        self.previous = previous
        self.deletedInstances = deletedInstances
        self.entityDeleted = entityDeleted
    }
}

extension Subscription {
    /// Whether notifications may be sent at `time`: active and not expired.
    public func isLive(at time: Date) -> Bool {
        guard isActive else { return false }
        guard let expiresAt else { return true }
        return (DateTimeText.parse(expiresAt) ?? .distantFuture) > time
    }

    /// `active`, `paused` or `expired` (5.2.12 `status`).
    public func status(at time: Date) -> String {
        if let expiresAt, let date = DateTimeText.parse(expiresAt), date <= time { return "expired" }
        return isActive ? "active" : "paused"
    }

    /// The types every watched entity must have one of, for indexing; `nil` when any entity may match (no
    /// selectors, or a selector without a plain type list).
    public var indexTypes: Set<String>? {
        guard let selectors else { return nil }
        var types = Set<String>()
        for selector in selectors {
            guard let expression = selector.types, let names = expression.anyOfTypes else { return nil }
            types.formUnion(names)
        }
        return types
    }

    /// What the change from `before` to `after` (either may be `nil`, not both) means for this subscription, or
    /// `nil` if it does not notify. Periodic subscriptions never notify on changes.
    public func cause(before: Entity?, after: Entity?, at time: Date) -> NotificationCause? {
        guard timeInterval == nil, isLive(at: time), let current = after ?? before else { return nil }
        guard selectors?.contains(where: { $0.matches(current) }) ?? true else { return nil }
        let cause: NotificationCause
        switch (before, after) {
        case (nil, _?):
            if triggers.contains(.entityCreated) {
                cause = NotificationCause(reason: .entityCreated, entity: current, previous: nil)
            } else if triggers.contains(.attributeCreated), watches(any: current.attributes.keys) {
                cause = NotificationCause(reason: .attributeCreated, entity: current, previous: nil)
            } else {
                return nil
            }
        case (let before?, nil):
            let showAll = notification.showChanges
            if triggers.contains(.entityDeleted) {
                cause = NotificationCause(
                    reason: .entityDeleted,
                    entity: before,
                    previous: before,
                    deletedInstances: showAll ? Self.instances(of: before, where: { _ in true }) : [],
                    entityDeleted: true
                )
            } else if triggers.contains(.attributeDeleted), watches(any: before.attributes.keys) {
                cause = NotificationCause(
                    reason: .attributeDeleted,
                    entity: before,
                    previous: before,
                    deletedInstances: Self.instances(of: before, where: watches),
                    entityDeleted: true
                )
            } else {
                return nil
            }
        case (let before?, let after?):
            let changes = Self.attributeChanges(from: before, to: after)
            let created = changes.created.filter(watches)
            let updated = changes.updated.filter(watches)
            let deleted = changes.deleted.filter { watches($0.name) }
            let reason: NotificationTrigger
            if triggers.contains(.attributeUpdated), !updated.isEmpty {
                reason = .attributeUpdated
            } else if triggers.contains(.attributeCreated), !created.isEmpty {
                reason = .attributeCreated
            } else if triggers.contains(.attributeDeleted), !deleted.isEmpty {
                reason = .attributeDeleted
            } else if triggers.contains(.entityUpdated), !created.isEmpty || !updated.isEmpty || !deleted.isEmpty {
                reason = .entityUpdated
            } else {
                return nil
            }
            let showDeleted = triggers.contains(.attributeDeleted) || triggers.contains(.entityUpdated)
            cause = NotificationCause(
                reason: reason,
                entity: after,
                previous: before,
                deletedInstances: showDeleted ? deleted : []
            )
        case (nil, nil):
            return nil
        }
        // Filters apply to the entity as it is now (as it was, for a deletion).
        if let q, !EntityQuery(q: q).matches(current) { return nil }
        if let geoQ, !EntityQuery(geo: geoQ).matches(current) { return nil }
        if let scopeQ, !scopeQ.matches(current.scopes) { return nil }
        return cause
    }

    /// Every instance of the attributes of `entity` whose name passes `include`.
    static func instances(of entity: Entity, where include: (String) -> Bool) -> [NotificationCause.DeletedInstance] {
        var result: [NotificationCause.DeletedInstance] = []
        for (name, instances) in entity.attributes where include(name) {
            for instance in instances { result.append(.init(name: name, datasetId: instance.datasetId)) }
        }
        return result
    }

    /// Whether `name` is watched (every attribute is, without `watchedAttributes`).
    func watches(_ name: String) -> Bool { watchedAttributes?.contains(name) ?? true }

    func watches(any names: some Sequence<String>) -> Bool {
        guard let watchedAttributes else { return true }
        return names.contains(where: watchedAttributes.contains)
    }

    /// Attribute names created and updated (any instance written or added: value, sub-attributes or timestamps),
    /// and the instances deleted (a whole attribute, or one `datasetId` of it).
    static func attributeChanges(
        from before: Entity,
        to after: Entity
    ) -> (
        created: [String], updated: [String], deleted: [NotificationCause.DeletedInstance]
    ) {
        var created: [String] = []
        var updated: [String] = []
        var deleted: [NotificationCause.DeletedInstance] = []
        for (name, instances) in after.attributes where !instances.isEmpty {
            guard let old = before.attributes[name], !old.isEmpty else {
                created.append(name)
                continue
            }
            let remaining = Set(instances.map(\.datasetId))
            for instance in old where !remaining.contains(instance.datasetId) {
                deleted.append(.init(name: name, datasetId: instance.datasetId))
            }
            let written = instances.contains { instance in
                old.first(where: { $0.datasetId == instance.datasetId }) != instance
            }
            if written { updated.append(name) }
        }
        for (name, instances) in before.attributes where after.attributes[name]?.isEmpty ?? true {
            for instance in instances { deleted.append(.init(name: name, datasetId: instance.datasetId)) }
        }
        return (created, updated, deleted)
    }
}

extension TypeExpression {
    /// The types of an expression that is one type or an `or` of types; `nil` for anything else.
    var anyOfTypes: [String]? {
        switch self {
        case .type(let type): type == "*" ? nil : [type]
        case .or(let parts):
            parts.reduce([String]?.some([])) { result, part in
                guard let result, let names = part.anyOfTypes else { return nil }
                return result + names
            }
        case .and: nil
        }
    }
}
