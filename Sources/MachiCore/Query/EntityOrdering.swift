import Foundation
import OrderedCollections

/// Entity ordering (`orderBy`, `orderFrom`, `collation`; ETSI GS CIM 009 4.23): keys compared in turn.
///
/// A key is a member (`id`, `type`, `createdAt`, `modifiedAt`) or an attribute path (`name`, `name.subProperty`,
/// `name.observedAt`, `address[city]`), with `;asc` (the default) or `;desc`, or a GeoProperty with `;dist-asc` /
/// `;dist-desc`, ordered by the distance from `orderFrom`. Values compare as 4.23.2 says: numbers before strings
/// before Booleans before anything else, absent values last whatever the direction.
public struct EntityOrdering: Sendable, Hashable {
    public enum Direction: Sendable, Hashable {
        case ascending
        case descending
        case distanceAscending
        case distanceDescending
    }

    public struct Key: Sendable, Hashable {
        /// The path, short while parsed and expanded by `expanded(_:)`; `id` and `type` are entity members.
        public var path: AttributePath
        public var direction: Direction
    }

    public var keys: [Key]
    /// The reference geometry of distance keys (`orderFrom`).
    public var reference: Geometry?
    /// A BCP 47 collation for strings (`collation`); code point order when `nil`.
    public var collation: String?

    /// Parses `orderBy` items (`name;desc`, …); several items may also be given comma-separated.
    /// - Throws: `BadRequestData` for an invalid path or direction, a distance key without `reference`, or a
    ///   collation that is not a language tag.
    public static func parse(
        _ items: [String],
        reference: Geometry?,
        collation: String?
    ) throws(NGSIError) -> EntityOrdering {
        var keys: [Key] = []
        for item in items.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let parts = item.split(separator: ";", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw .badRequestData("orderBy item \"\(item)\" has more than one ';'") }
            let direction: Direction
            switch parts.count == 2 ? String(parts[1]) : "asc" {
            case "asc": direction = .ascending
            case "desc": direction = .descending
            case "dist-asc": direction = .distanceAscending
            case "dist-desc": direction = .distanceDescending
            case let other:
                throw .badRequestData("orderBy direction \"\(other)\" is not asc, desc, dist-asc or dist-desc")
            }
            var parser = QueryParser(
                cursor: try QueryCursor(String(parts[0]), language: "orderBy", limits: QueryLimits())
            )
            let name = try parser.parseName(allowColon: true, what: "an attribute name")
            let path = try parser.parsePathRest(attribute: name)
            guard parser.cursor.isAtEnd else { throw parser.cursor.error("unexpected character") }
            if direction == .distanceAscending || direction == .distanceDescending {
                guard reference != nil else {
                    throw .badRequestData("Ordering by distance needs the reference coordinates (orderFrom)")
                }
            }
            keys.append(Key(path: path, direction: direction))
        }
        guard !keys.isEmpty else { throw .badRequestData("orderBy is empty") }
        if let collation, !isLanguageTag(collation) {
            throw .badRequestData("collation \"\(collation)\" is not a BCP 47 language tag")
        }
        return EntityOrdering(keys: keys, reference: reference, collation: collation)
    }

    /// A BCP 47 tag: alphanumeric subtags of 1–8 characters separated by `-`, the first alphabetic.
    public static func isLanguageTag(_ text: String) -> Bool {
        let subtags = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = subtags.first, (2...8).contains(first.count),
            first.unicodeScalars.allSatisfy({ NameRules.isASCIILetter($0) })
        else { return false }
        return subtags.allSatisfy { tag in
            (1...8).contains(tag.count)
                && tag.unicodeScalars.allSatisfy { NameRules.isASCIILetter($0) || ("0"..."9").contains($0) }
        }
    }

    /// The ordering with attribute names expanded (`id`, `type`, `createdAt`, `modifiedAt` kept).
    public func expanded(_ expand: (String) -> String) -> EntityOrdering {
        var copy = self
        copy.keys = keys.map { key in
            var key = key
            if !Self.members.contains(key.path.attribute) { key.path = key.path.expanded(expand) }
            return key
        }
        return copy
    }

    static let members: Set<String> = ["id", "type"]

    /// Sorts entities; the sort is stable, so equal entities keep the store's order.
    public func sorted(_ entities: [Entity]) -> [Entity] {
        let rows = entities.map { entity in (entity, keys.map { sortValue($0, entity) }) }
        return rows.enumerated().sorted { a, b in
            for (index, key) in keys.enumerated() {
                let order = compare(a.element.1[index], b.element.1[index], key.direction)
                if order != .orderedSame { return order == .orderedAscending }
            }
            return a.offset < b.offset
        }.map(\.element.0)
    }

    /// One key's value in an entity: the first target of the path, or the distance for distance keys.
    func sortValue(_ key: Key, _ entity: Entity) -> JSON? {
        let path = key.path
        if path.subAttributes.isEmpty, path.compound.isEmpty {
            switch path.attribute {
            case "id": return .string(entity.id)
            case "type": return entity.types.first.map(JSON.string)
            default: break
            }
        }
        var found: JSON?
        path.forEachTarget(in: entity) { target in
            found = QueryMatching.unwrapped(target.value)
            return false
        }
        switch key.direction {
        case .distanceAscending, .distanceDescending:
            guard let reference, let value = found, let geometry = try? Geometry(geoJSON: value) else { return nil }
            return .number(geometry.distance(to: reference))
        case .ascending, .descending:
            return found
        }
    }

    /// 4.23.2: absent last in either direction; otherwise numbers < strings < Booleans < other values.
    func compare(_ a: JSON?, _ b: JSON?, _ direction: Direction) -> ComparisonResult {
        guard let a, !a.isNull else { return b == nil || b?.isNull == true ? .orderedSame : .orderedDescending }
        guard let b, !b.isNull else { return .orderedAscending }
        let order = compareValues(a, b)
        switch direction {
        case .ascending, .distanceAscending: return order
        case .descending, .distanceDescending:
            return order == .orderedAscending
                ? .orderedDescending : order == .orderedDescending ? .orderedAscending : order
        }
    }

    func compareValues(_ a: JSON, _ b: JSON) -> ComparisonResult {
        let (ra, rb) = (Self.rank(a), Self.rank(b))
        if ra != rb { return ra < rb ? .orderedAscending : .orderedDescending }
        switch (a, b) {
        case (.number(let x), .number(let y)):
            return x < y ? .orderedAscending : x > y ? .orderedDescending : .orderedSame
        case (.string(let x), .string(let y)): return compareText(x, y)
        case (.bool(let x), .bool(let y)): return x == y ? .orderedSame : x ? .orderedDescending : .orderedAscending
        default: return compareText(a.description, b.description)
        }
    }

    static func rank(_ value: JSON) -> Int {
        switch value {
        case .number: 0
        case .string: 1
        case .bool: 2
        default: 3
        }
    }

    /// Strings: code point order, or with a collation a linguistic order (base letters first, then accents,
    /// then case), the root collation's primary/secondary/tertiary strengths.
    func compareText(_ x: String, _ y: String) -> ComparisonResult {
        guard collation != nil else {
            switch QueryMatching.textOrder(x, y) {
            case .orderedAscending: return .orderedAscending
            case .orderedDescending: return .orderedDescending
            default: return .orderedSame
            }
        }
        for options: String.CompareOptions in [[.caseInsensitive, .diacriticInsensitive], [.caseInsensitive], []] {
            let fx = x.folding(options: options, locale: nil)
            let fy = y.folding(options: options, locale: nil)
            if fx != fy {
                return fx.unicodeScalars.lexicographicallyPrecedes(fy.unicodeScalars)
                    ? .orderedAscending : .orderedDescending
            }
        }
        return .orderedSame
    }
}
