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

    /// Cuts each entity's selected instances to the limit; returns the entities and the span of the first cut one.
    public func apply(_ entities: [TemporalEntity], _ query: TemporalQuery) -> ([TemporalEntity], Range?) {
        // An aggregation summarizes every instance in the window: cutting instances would falsify it.
        if case .aggregated = query.representation { return (entities, nil) }
        var range: Range?
        let result = entities.map { entity -> TemporalEntity in
            var selected: [(name: String, instance: AttributeInstance, time: Date)] = []
            for (name, instances) in entity.instances {
                if let attributes = query.attributes, !attributes.contains(name) { continue }
                // The scope's instances are context of the attributes' ones (4.18), not part of a page.
                if name == TemporalScope.name { continue }
                for instance in query.select(instances) {
                    selected.append((name, instance, instance.time(query.timeProperty) ?? .distantPast))
                }
            }
            guard selected.count > limit else { return entity }
            let newestFirst = query.lastN != nil
            selected.sort { newestFirst ? $0.time > $1.time : $0.time < $1.time }
            let kept = selected.prefix(limit)
            var cut = entity
            cut.instances = entity.instances.filter { $0.key == TemporalScope.name }
            for item in kept { cut.instances[item.name, default: []].append(item.instance) }
            // An attribute whose instances all fall outside the covered span is there, empty (6.3.10): the client
            // sees it has more to fetch.
            for item in selected where cut.instances[item.name] == nil { cut.instances[item.name] = [] }
            let times = kept.map(\.time)
            if range == nil, let oldest = times.min(), let newest = times.max() {
                let size = query.lastN.map(String.init) ?? "*"
                if newestFirst {
                    var start = newest
                    switch query.relation {
                    case .before(let end)?, .between(_, let end)?: start = end
                    default: break
                    }
                    range = Range(start: start, end: oldest, size: size)
                } else {
                    var start = oldest
                    switch query.relation {
                    case .after(let begin)?, .between(let begin, _)?: start = begin
                    default: break
                    }
                    range = Range(start: start, end: newest, size: size)
                }
            }
            return cut
        }
        return (result, range)
    }
}
