public import Foundation
import OrderedCollections

/// One recorded state of an attribute instance (the temporal representation, 4.5.6/5.7.3).
public struct AttributeInstance: Sendable, Hashable {
    /// Expanded attribute name.
    public var name: String
    /// The store's sequence number; `instanceId` is built from it.
    public var sequence: Int64
    /// The instance as it was: type, value member, `observedAt`, `datasetId`, sub-attributes.
    public var attribute: Attribute
    /// When this instance was recorded.
    public var createdAt: Date
    /// When it was last changed (a partial update of an instance).
    public var modifiedAt: Date

    public init(name: String, sequence: Int64, attribute: Attribute, createdAt: Date, modifiedAt: Date) {
        self.name = name
        self.sequence = sequence
        self.attribute = attribute
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
    }

    /// The instance's URI (`instanceId`).
    public var instanceId: String { Self.instanceId(sequence) }

    public static func instanceId(_ sequence: Int64) -> String { "urn:ngsi-ld:attribute:instance:\(sequence)" }

    /// The sequence number in an `instanceId`, if it is one of this broker's.
    public static func sequence(of instanceId: String) -> Int64? {
        guard instanceId.hasPrefix("urn:ngsi-ld:attribute:instance:") else { return nil }
        return Int64(instanceId.dropFirst("urn:ngsi-ld:attribute:instance:".count))
    }

    /// The instance's time for `property`.
    public func time(_ property: TemporalQuery.TimeProperty) -> Date? {
        switch property {
        case .observedAt: attribute.members["observedAt"]?.stringValue.flatMap(DateTimeText.parse)
        case .createdAt: createdAt
        case .modifiedAt: modifiedAt
        }
    }
}

/// The temporal filters of a temporal query (`timerel`, `timeAt`, `endTimeAt`, `timeproperty`, `lastN`) and
/// how the result is represented (normalized, `temporalValues`, `aggregatedValues`).
public struct TemporalQuery: Sendable {
    public enum Relation: Sendable, Hashable {
        case before(Date)
        case after(Date)
        case between(Date, Date)

        /// Whether `time` satisfies the relation (`before` is exclusive, `after` and the start of `between`
        /// inclusive, the end of `between` exclusive).
        public func contains(_ time: Date) -> Bool {
            switch self {
            case .before(let end): time < end
            case .after(let start): time >= start
            case .between(let start, let end): time >= start && time < end
            }
        }
    }

    public enum TimeProperty: String, Sendable {
        case observedAt, createdAt, modifiedAt
    }

    public enum Representation: Sendable, Hashable {
        case normalized
        case temporalValues
        case aggregated(methods: [AggregationMethod], period: TimeInterval?)
    }

    public var relation: Relation?
    public var timeProperty: TimeProperty = .observedAt
    /// Only the last N instances of each attribute.
    public var lastN: Int?
    /// Expanded attribute names; `nil`: all.
    public var attributes: Set<String>?
    public var representation: Representation = .normalized
    /// Only instances of these datasetIds (`@none`: the default instance); `nil`: all.
    public var datasetIds: Set<String>?

    public init() {}

    /// Applies the filters to one attribute's instances (any order): time relation, then `lastN`, in time order.
    public func select(_ instances: [AttributeInstance]) -> [AttributeInstance] {
        var selected = instances.filter { instance in
            if let datasetIds, !datasetIds.contains(instance.attribute.datasetId ?? "@none") { return false }
            guard let relation else { return true }
            guard let time = instance.time(timeProperty) else { return false }
            return relation.contains(time)
        }
        selected.sort {
            ($0.time(timeProperty) ?? .distantPast, $0.sequence) < ($1.time(timeProperty) ?? .distantPast, $1.sequence)
        }
        if let lastN, selected.count > lastN { selected = Array(selected.suffix(lastN)) }
        return selected
    }
}

/// `aggrMethods` (4.5.19).
public enum AggregationMethod: String, Sendable, CaseIterable {
    case totalCount, distinctCount, sum, avg, min, max, stddev, sumsq
}

/// ISO 8601 durations (`PT1H`, `P1D`, `P1Y2M10DT2H30M`) in seconds, months and years counted as 30 and 365 days.
public enum ISODuration {
    public static func seconds(_ text: String) -> TimeInterval? {
        var rest = Substring(text)
        guard rest.first == "P" else { return nil }
        rest = rest.dropFirst()
        var total = 0.0
        var inTime = false
        var number = ""
        var parts = 0
        for character in rest {
            if character == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            if character.isNumber || character == "." || character == "," {
                number.append(character == "," ? "." : character)
                continue
            }
            guard let value = Double(number) else { return nil }
            number = ""
            parts += 1
            switch (inTime, character) {
            case (false, "Y"): total += value * 365 * 86_400
            case (false, "M"): total += value * 30 * 86_400
            case (false, "W"): total += value * 7 * 86_400
            case (false, "D"): total += value * 86_400
            case (true, "H"): total += value * 3_600
            case (true, "M"): total += value * 60
            case (true, "S"): total += value
            default: return nil
            }
        }
        guard number.isEmpty, parts > 0 else { return nil }
        return total
    }
}
