public import Foundation
import OrderedCollections

/// The entity's `scope` in its temporal evolution (4.18, 4.5.6): every change of the scopes is kept as an
/// instance of a Property under the reserved name `scope`, with the change time as `observedAt`. A scope is valid
/// from the time it was set until the next instance replaces it (an NGSI-LD Null value: removed).
public enum TemporalScope {
    /// The expanded name the instances are kept under (`scope` in the core context, never an attribute's name).
    public static let name = "https://uri.etsi.org/ngsi-ld/scope"
    /// The NGSI-LD Null (4.5.0): the value of the instance that records the removal of the scopes.
    static let null = "urn:ngsi-ld:null"

    /// The instance recording that the entity's scopes became `scopes` (none: removed) at `time`.
    public static func instance(_ scopes: [String], at time: Date) -> Attribute {
        let stamp = JSON.string(DateTimeText.format(time))
        if scopes.isEmpty {
            return Attribute(members: [
                "type": "Property", "value": .string(null), "observedAt": stamp, "deletedAt": stamp,
            ])
        }
        let value: JSON = scopes.count == 1 ? .string(scopes[0]) : .array(scopes.map(JSON.string))
        return Attribute(members: ["type": "Property", "value": value, "observedAt": stamp])
    }

    /// One stretch of time during which the entity had `scopes` (`end` nil: still valid).
    public struct Validity: Sendable, Hashable {
        public var scopes: [String]
        public var start: Date
        public var end: Date?

        public init(scopes: [String], start: Date, end: Date?) {
            self.scopes = scopes
            self.start = start
            self.end = end
        }

        /// Whether the stretch has a time in common with `relation` (none: all time).
        public func overlaps(_ relation: TemporalQuery.Relation?) -> Bool {
            switch relation {
            case nil: true
            case .before(let limit)?: start < limit
            case .after(let from)?: end.map { $0 > from } ?? true
            case .between(let from, let limit)?: start < limit && (end.map { $0 > from } ?? true)
            }
        }

        public func contains(_ time: Date) -> Bool { time >= start && end.map { time < $0 } ?? true }
    }

    /// The stretches of validity of the recorded scope instances, in time order; a removal ends the previous one.
    public static func validities(_ instances: [AttributeInstance]) -> [Validity] {
        let timed = instances.map { ($0, $0.time(.observedAt) ?? $0.createdAt) }
            .sorted { ($0.1, $0.0.sequence) < ($1.1, $1.0.sequence) }
        var result: [Validity] = []
        for (index, (instance, start)) in timed.enumerated() {
            let scopes = scopes(of: instance)
            guard !scopes.isEmpty else { continue }
            let end = index + 1 < timed.count ? timed[index + 1].1 : nil
            result.append(Validity(scopes: scopes, start: start, end: end))
        }
        return result
    }

    /// The scope instances to show for a time window: those valid at some time of it (a scope set before the
    /// window start is still valid in it).
    public static func select(
        _ instances: [AttributeInstance],
        _ relation: TemporalQuery.Relation?
    ) -> [AttributeInstance] {
        let timed = instances.map { ($0, $0.time(.observedAt) ?? $0.createdAt) }
            .sorted { ($0.1, $0.0.sequence) < ($1.1, $1.0.sequence) }
        return timed.enumerated().compactMap { index, element in
            let end = index + 1 < timed.count ? timed[index + 1].1 : nil
            let validity = Validity(scopes: [], start: element.1, end: end)
            return validity.overlaps(relation) ? element.0 : nil
        }
    }

    /// 5.7.4.4 S4 with the validity of 4.18: `nil` when no scope valid in the window matches `expression`;
    /// otherwise the entity with its attribute instances cut to the times such a scope was valid.
    public static func restrict(
        _ entity: TemporalEntity,
        to expression: ScopeExpression,
        _ query: TemporalQuery
    ) -> TemporalEntity? {
        let valid = validities(entity.instances[name] ?? []).filter {
            $0.overlaps(query.relation) && expression.matches($0.scopes)
        }
        guard !valid.isEmpty else { return nil }
        var restricted = entity
        for (attribute, instances) in entity.instances where attribute != name {
            let kept = instances.filter { instance in
                guard let time = instance.time(query.timeProperty) else { return false }
                return valid.contains { $0.contains(time) }
            }
            restricted.instances[attribute] = kept.isEmpty ? nil : kept
        }
        return restricted
    }

    static func scopes(of instance: AttributeInstance) -> [String] {
        switch instance.attribute.value {
        case .string(let text)?: text == null ? [] : [text]
        case .array(let list)?: list.compactMap(\.stringValue)
        default: []
        }
    }
}
