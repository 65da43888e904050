public import Foundation
public import OrderedCollections

/// An entity's temporal evolution: its identity and the recorded instances of each attribute.
public struct TemporalEntity: Sendable {
    public var id: String
    public var types: [String]
    /// Expanded attribute name → its instances (any order).
    public var instances: OrderedDictionary<String, [AttributeInstance]>
    public var createdAt: Date?
    public var modifiedAt: Date?
    /// Attributes that have selected instances, none of them in the span a paginated response covers (expanded
    /// name → kind): shown empty (6.3.10).
    public var pagedOut: OrderedDictionary<String, AttributeKind> = [:]

    public init(
        id: String,
        types: [String],
        instances: OrderedDictionary<String, [AttributeInstance]> = [:],
        createdAt: Date? = nil,
        modifiedAt: Date? = nil
    ) {
        self.id = id
        self.types = types
        self.instances = instances
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
    }
}

/// Renders temporal representations (4.5.6 normalized, 4.5.8 `temporalValues`, 4.5.19 `aggregatedValues`),
/// compacted with the request's context.
public struct TemporalEncoder {
    public var context: JSONLDContext
    public var sysAttrs: Bool
    public var lang: String?
    /// Expanded `pick` / `omit` projections (4.21): attributes and the entity members `id` and `type`.
    public var pick: Set<String>?
    public var omit: Set<String> = []

    public init(context: JSONLDContext, sysAttrs: Bool = false, lang: String? = nil) {
        self.context = context
        self.sysAttrs = sysAttrs
        self.lang = lang
    }

    func keeps(_ member: String) -> Bool {
        if omit.contains(member) { return false }
        return pick?.contains(member) ?? true
    }

    public func encode(_ entity: TemporalEntity, query: TemporalQuery) -> JSONObject {
        var out: JSONObject = [:]
        if keeps("id") { out["id"] = .string(entity.id) }
        let types = entity.types.map { JSON.string(context.compactIRI($0)) }
        if keeps("type") { out["type"] = types.count == 1 ? types[0] : .array(types) }
        if sysAttrs {
            if let createdAt = entity.createdAt { out["createdAt"] = .string(DateTimeText.format(createdAt)) }
            if let modifiedAt = entity.modifiedAt { out["modifiedAt"] = .string(DateTimeText.format(modifiedAt)) }
        }
        let start = aggregationStart(entity, query)
        for (name, all) in entity.instances where keeps(name) {
            if let attributes = query.attributes, !attributes.contains(name) { continue }
            if name == TemporalScope.name, case .aggregated = query.representation { continue }
            let instances = name == TemporalScope.name ? TemporalScope.select(all, query.relation) : query.select(all)
            guard !instances.isEmpty else { continue }
            let key = context.compactIRI(name)
            switch query.representation {
            case .normalized:
                out[key] = .array(instances.map { .object(normalized($0)) })
            case .temporalValues:
                // One object per datasetId (the default instance first), or the object alone.
                var groups: OrderedDictionary<String?, [AttributeInstance]> = [:]
                for instance in instances { groups[instance.attribute.datasetId, default: []].append(instance) }
                let objects = groups.sorted { ($0.key ?? "") < ($1.key ?? "") }.map { datasetId, members in
                    var object = temporalValues(members, query)
                    if let datasetId { object["datasetId"] = .string(datasetId) }
                    return JSON.object(object)
                }
                out[key] = objects.count == 1 ? objects[0] : .array(objects)
            case .aggregated(let methods, let period):
                out[key] = .object(aggregated(instances, query, methods: methods, period: period, start: start))
            }
        }
        for (name, kind) in entity.pagedOut where keeps(name) {
            if case .temporalValues = query.representation {
                out[context.compactIRI(name)] = ["type": .string(kind.rawValue), Self.valuesMember(kind): []]
            } else {
                out[context.compactIRI(name)] = []
            }
        }
        return out
    }

    /// One instance with its `instanceId` (and, with `sysAttrs`, its timestamps).
    func normalized(_ instance: AttributeInstance) -> JSONObject {
        var members = instance.attribute.members
        members["instanceId"] = .string(instance.instanceId)
        if sysAttrs {
            members["createdAt"] = .string(DateTimeText.format(instance.createdAt))
            members["modifiedAt"] = .string(DateTimeText.format(instance.modifiedAt))
        }
        let rendered = render(Attribute(members: members), name: instance.name, format: .normalized)
        return rendered.objectValue ?? [:]
    }

    /// `{"type": …, "values": [[value, time], …]}` (`objects`, `languageMaps`, … by kind).
    func temporalValues(_ instances: [AttributeInstance], _ query: TemporalQuery) -> JSONObject {
        let kind = instances.first?.attribute.kind ?? .property
        let pairs: [JSON] = instances.map { instance in
            let value = render(instance.attribute, name: instance.name, format: .keyValues)
            return .array([value, Self.timeText(instance, query.timeProperty)])
        }
        return ["type": .string(kind.rawValue), Self.valuesMember(kind): .array(pairs)]
    }

    /// An instance's time as text: `observedAt` as it was written, the broker's own times formatted.
    static func timeText(_ instance: AttributeInstance, _ property: TemporalQuery.TimeProperty) -> JSON {
        if property == .observedAt, let text = instance.attribute.members["observedAt"]?.stringValue {
            return .string(text)
        }
        return instance.time(property).map { .string(timeText($0)) } ?? .null
    }

    /// A DateTime in UTC, with milliseconds only when it has any (`2020-08-01T12:03:00Z`).
    static func timeText(_ date: Date) -> String {
        let text = DateTimeText.format(date)
        return text.hasSuffix(".000Z") ? String(text.dropLast(5)) + "Z" : text
    }

    static func valuesMember(_ kind: AttributeKind) -> String {
        switch kind {
        case .relationship: "objects"
        case .languageProperty: "languageMaps"
        case .jsonProperty: "jsons"
        case .vocabProperty: "vocabs"
        case .listProperty: "valueLists"
        case .listRelationship: "objectLists"
        default: "values"
        }
    }

    /// Periods start at the query's start time, or else at the entity's first instance.
    func aggregationStart(_ entity: TemporalEntity, _ query: TemporalQuery) -> Date {
        switch query.relation {
        case .after(let start)?, .between(let start, _)?: return start
        default:
            let times = entity.instances.values.joined().compactMap { $0.time(query.timeProperty) }
            return times.min() ?? Date(timeIntervalSince1970: 0)
        }
    }

    /// `{"type": …, "avg": [[value, start, end], …], …}`: one triple per period that has instances.
    func aggregated(
        _ instances: [AttributeInstance],
        _ query: TemporalQuery,
        methods: [AggregationMethod],
        period: TimeInterval?,
        start: Date
    ) -> JSONObject {
        let kind = instances.first?.attribute.kind ?? .property
        var buckets: [(start: Date, end: Date, values: [JSON])] = []
        let timed = instances.compactMap { instance in instance.time(query.timeProperty).map { (instance, $0) } }
        if let period, period > 0 {
            var byIndex: [Int: [JSON]] = [:]
            for (instance, time) in timed {
                let index = Int((time.timeIntervalSince(start) / period).rounded(.down))
                byIndex[index, default: []].append(instance.attribute.value ?? .null)
            }
            for index in byIndex.keys.sorted() {
                let bucketStart = start.addingTimeInterval(Double(index) * period)
                buckets.append((bucketStart, bucketStart.addingTimeInterval(period), byIndex[index] ?? []))
            }
        } else if let first = timed.map(\.1).min(), let last = timed.map(\.1).max() {
            buckets.append((first, last, timed.map { $0.0.attribute.value ?? .null }))
        }
        var out: JSONObject = ["type": .string(kind.rawValue)]
        for method in methods {
            out[method.rawValue] = .array(
                buckets.map { bucket in
                    .array([
                        Self.aggregate(method, bucket.values), .string(Self.timeText(bucket.start)),
                        .string(Self.timeText(bucket.end)),
                    ])
                }
            )
        }
        return out
    }

    static func aggregate(_ method: AggregationMethod, _ values: [JSON]) -> JSON {
        let numbers = values.compactMap { value -> Double? in
            if case .bool(let flag) = value { return flag ? 1 : 0 }
            return value.numberValue
        }
        switch method {
        case .totalCount: return .number(Double(values.count))
        case .distinctCount: return .number(Double(Set(values.map { JSONWriter.string(of: $0) }).count))
        case .sum: return numbers.isEmpty ? .null : .number(numbers.reduce(0, +))
        case .sumsq: return numbers.isEmpty ? .null : .number(numbers.reduce(0) { $0 + $1 * $1 })
        case .avg: return numbers.isEmpty ? .null : .number(numbers.reduce(0, +) / Double(numbers.count))
        case .min: return numbers.min().map(JSON.number) ?? minMaxText(values, min: true)
        case .max: return numbers.max().map(JSON.number) ?? minMaxText(values, min: false)
        case .stddev:
            guard !numbers.isEmpty else { return .null }
            let mean = numbers.reduce(0, +) / Double(numbers.count)
            let variance = numbers.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(numbers.count)
            return .number(variance.squareRoot())
        }
    }

    /// `min` / `max` of text values (e.g. DateTimes), by code-point order.
    static func minMaxText(_ values: [JSON], min: Bool) -> JSON {
        let texts = values.compactMap(\.stringValue)
        guard let result = min ? texts.min() : texts.max() else { return .null }
        return .string(result)
    }

    /// One instance rendered alone through `EntityEncoder`, so compaction, vocabularies and language maps follow
    /// the same rules as for entities.
    func render(_ attribute: Attribute, name: String, format: EntityEncoder.Format) -> JSON {
        let encoder = EntityEncoder(context: context, format: format, sysAttrs: sysAttrs, lang: lang)
        let entity = Entity(id: "urn:ngsi-ld:temporal", types: [], attributes: [name: [attribute]])
        return encoder.encode(entity)[context.compactIRI(name)] ?? .null
    }
}
