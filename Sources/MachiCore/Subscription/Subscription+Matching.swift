public import Foundation
import OrderedCollections

/// Why a change notifies a subscription, and what the notification shows.
public struct NotificationCause: Sendable {
    public var reason: NotificationTrigger
    /// The entity after the change; before it, for a deletion.
    public var entity: Entity
    /// The entity before the change (for `showChanges`), if it existed.
    public var previous: Entity?
    /// Attributes the change removed (`attributeDeleted`), shown with an NGSI-LD Null value.
    public var deletedAttributes: [String]

    public init(reason: NotificationTrigger, entity: Entity, previous: Entity?, deletedAttributes: [String] = []) {
        self.reason = reason
        self.entity = entity
        self.previous = previous
        self.deletedAttributes = deletedAttributes
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
        let reason: NotificationTrigger
        var deleted: [String] = []
        switch (before, after) {
        case (nil, _?):
            if triggers.contains(.entityCreated) {
                reason = .entityCreated
            } else if triggers.contains(.attributeCreated), watches(any: current.attributes.keys) {
                reason = .attributeCreated
            } else {
                return nil
            }
        case (let before?, nil):
            guard triggers.contains(.entityDeleted) else { return nil }
            reason = .entityDeleted
            _ = before
        case (let before?, let after?):
            let changes = Self.attributeChanges(from: before, to: after)
            let created = changes.created.filter(watches)
            let updated = changes.updated.filter(watches)
            deleted = changes.deleted.filter(watches)
            if triggers.contains(.attributeUpdated), !updated.isEmpty {
                reason = .attributeUpdated
            } else if triggers.contains(.attributeCreated), !created.isEmpty {
                reason = .attributeCreated
            } else if triggers.contains(.attributeDeleted), !deleted.isEmpty {
                reason = .attributeDeleted
            } else if triggers.contains(.entityUpdated), !(created + updated + deleted).isEmpty {
                reason = .entityUpdated
            } else {
                return nil
            }
            if !triggers.contains(.attributeDeleted) && !triggers.contains(.entityUpdated) { deleted = [] }
        case (nil, nil):
            return nil
        }
        // Filters apply to the entity as it is now (as it was, for a deletion).
        if let q, !EntityQuery(q: q).matches(current) { return nil }
        if let geoQ, !EntityQuery(geo: geoQ).matches(current) { return nil }
        if let scopeQ, !scopeQ.matches(current.scopes) { return nil }
        return NotificationCause(reason: reason, entity: current, previous: before, deletedAttributes: deleted)
    }

    /// Whether `name` is watched (every attribute is, without `watchedAttributes`).
    func watches(_ name: String) -> Bool { watchedAttributes?.contains(name) ?? true }

    func watches(any names: some Sequence<String>) -> Bool {
        guard let watchedAttributes else { return true }
        return names.contains(where: watchedAttributes.contains)
    }

    /// Attribute names created, updated (any instance written: value, sub-attributes or timestamps) and deleted.
    static func attributeChanges(from before: Entity, to after: Entity) -> (
        created: [String], updated: [String], deleted: [String]
    ) {
        var created: [String] = []
        var updated: [String] = []
        var deleted: [String] = []
        for (name, instances) in after.attributes {
            guard let old = before.attributes[name], !old.isEmpty else {
                if !instances.isEmpty { created.append(name) }
                continue
            }
            if instances.isEmpty {
                deleted.append(name)
            } else if old != instances {
                updated.append(name)
            }
        }
        for (name, instances) in before.attributes where !instances.isEmpty && (after.attributes[name]?.isEmpty ?? true) {
            if !deleted.contains(name) { deleted.append(name) }
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
