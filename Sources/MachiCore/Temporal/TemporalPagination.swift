public import Foundation
import OrderedCollections

/// Temporal pagination (6.3.10, 4.5.x): a response carries at most `limit` attribute instances. When more are
/// selected, the oldest are kept (the most recent with `lastN`), the response is `206 Partial Content`, and
/// `Content-Range: date-time <start>-<end>/<size>` says which time span it covers.
public struct TemporalPagination: Sendable {
    public var limit: Int

    public init(limit: Int) { self.limit = limit }

    /// The covered span, when `entities` had to be cut.
    public struct Range: Sendable {
        public var start: Date
        public var end: Date
        /// `lastN` when given, else `*`.
        public var size: String

        public var header: String {
            "date-time \(TemporalEncoder.timeText(start))-\(TemporalEncoder.timeText(end))/\(size)"
        }
    }

    typealias Selected = (name: String, instance: AttributeInstance, time: Date)

    /// Cuts the response to one time span: when an entity has more than `limit` selected instances, the span ends
    /// at its last kept one (the earliest such end over all entities; with `lastN`, newest first, the latest), and
    /// every entity keeps only its instances inside the span, at most `limit`. Returns the entities and the span.
    public func apply(_ entities: [TemporalEntity], _ query: TemporalQuery) -> ([TemporalEntity], Range?) {
        // An aggregation summarizes every instance in the window: cutting instances would falsify it.
        if case .aggregated = query.representation { return (entities, nil) }
        let newestFirst = query.lastN != nil
        let selections = entities.map { selected($0, query, newestFirst: newestFirst) }
        var boundary: Date?
        for selected in selections where selected.count > limit {
            let last = selected[limit - 1].time
            boundary = boundary.map { newestFirst ? max($0, last) : min($0, last) } ?? last
        }
        guard let boundary else { return (entities, nil) }
        var times: [Date] = []
        var result: [TemporalEntity] = []
        for (entity, selected) in zip(entities, selections) {
            guard !selected.isEmpty else {
                result.append(entity)
                continue
            }
            let kept = selected.filter { newestFirst ? $0.time >= boundary : $0.time <= boundary }.prefix(limit)
            var cut = entity
            cut.instances = entity.instances.filter { $0.key == TemporalScope.name }
            for item in kept { cut.instances[item.name, default: []].append(item.instance) }
            // An attribute whose instances all fall outside the covered span is there, empty (6.3.10): the client
            // sees it has more to fetch.
            for item in selected where cut.instances[item.name] == nil {
                cut.pagedOut[item.name] = item.instance.attribute.kind ?? .property
            }
            times += kept.map(\.time)
            result.append(cut)
        }
        guard let oldest = times.min(), let newest = times.max() else { return (result, nil) }
        let size = query.lastN.map(String.init) ?? "*"
        if newestFirst {
            var start = newest
            switch query.relation {
            case .before(let end)?, .between(_, let end)?: start = end
            default: break
            }
            return (result, Range(start: start, end: oldest, size: size))
        }
        var start = oldest
        switch query.relation {
        case .after(let begin)?, .between(let begin, _)?: start = begin
        default: break
        }
        return (result, Range(start: start, end: newest, size: size))
    }

    /// An entity's selected attribute instances in page order (oldest first; newest first with `lastN`).
    func selected(_ entity: TemporalEntity, _ query: TemporalQuery, newestFirst: Bool) -> [Selected] {
        var selected: [Selected] = []
        for (name, instances) in entity.instances {
            if let attributes = query.attributes, !attributes.contains(name) { continue }
            // The scope's instances are context of the attributes' ones (4.18), not part of a page.
            if name == TemporalScope.name { continue }
            for instance in query.select(instances) {
                selected.append((name, instance, instance.time(query.timeProperty) ?? .distantPast))
            }
        }
        selected.sort { newestFirst ? $0.time > $1.time : $0.time < $1.time }
        return selected
    }
}
