import OrderedCollections

extension QueryComparison {
    /// Whether a target value satisfies this comparison (ETSI GS CIM 009 4.9 operator semantics).
    ///
    /// - An array target matches `==`, `>`, `<`, `>=`, `<=` and `~=` if any element does; `!=` and `!~=` only if
    ///   every element does ("is not included in the target value").
    /// - A value list matches `==` if any listed value does, `!=` if all do.
    /// - Values of different data types are not equal, so `==` and the ordering operators fail and `!=` holds.
    /// - Patterns only match strings; a non-string fails both `~=` and `!~=`.
    func isSatisfied(by target: JSON, isRelationship: Bool) -> Bool {
        switch self {
        case .equal(let value): QueryMatching.equal(target, value)
        case .notEqual(let value): QueryMatching.notEqual(target, value)
        case .greater(let value): !isRelationship && QueryMatching.ordered(target, value) { $0 == .orderedDescending }
        case .greaterOrEqual(let value):
            !isRelationship && QueryMatching.ordered(target, value) { $0 != .orderedAscending }
        case .less(let value): !isRelationship && QueryMatching.ordered(target, value) { $0 == .orderedAscending }
        case .lessOrEqual(let value):
            !isRelationship && QueryMatching.ordered(target, value) { $0 != .orderedDescending }
        case .matches(let pattern): !isRelationship && QueryMatching.pattern(target, pattern, negated: false)
        case .notMatches(let pattern): !isRelationship && QueryMatching.pattern(target, pattern, negated: true)
        }
    }
}

/// The three-way result of comparing a target value with a query value.
enum QueryOrder {
    case orderedAscending, orderedSame, orderedDescending
}

/// The value comparisons behind `QueryComparison.isSatisfied(by:isRelationship:)`; pure and allocation-free.
enum QueryMatching {
    static func equal(_ target: JSON, _ value: QueryValue) -> Bool {
        if case .list(let values) = value { return values.contains { equal(target, $0) } }
        if case .array(let elements) = target { return elements.contains { equal($0, value) } }
        if case .range(let low, let high) = value { return inRange(target, low, high) }
        return compare(unwrapped(target), value) == .orderedSame
    }

    static func notEqual(_ target: JSON, _ value: QueryValue) -> Bool {
        if case .list(let values) = value { return values.allSatisfy { notEqual(target, $0) } }
        if case .array(let elements) = target { return elements.allSatisfy { notEqual($0, value) } }
        if case .range(let low, let high) = value { return !inRange(target, low, high) }
        return compare(unwrapped(target), value) != .orderedSame
    }

    static func ordered(_ target: JSON, _ value: QueryValue, _ accept: (QueryOrder) -> Bool) -> Bool {
        if case .array(let elements) = target { return elements.contains { ordered($0, value, accept) } }
        guard let order = compare(unwrapped(target), value) else { return false }
        return accept(order)
    }

    static func pattern(_ target: JSON, _ pattern: String, negated: Bool) -> Bool {
        if case .array(let elements) = target {
            return negated
                ? elements.allSatisfy { self.pattern($0, pattern, negated: true) }
                : elements.contains { self.pattern($0, pattern, negated: false) }
        }
        guard case .string(let text) = unwrapped(target), QueryRegex.compile(pattern) != nil else { return false }
        return QueryRegex.matches(pattern, text) != negated
    }

    static func inRange(_ target: JSON, _ low: QueryValue, _ high: QueryValue) -> Bool {
        let target = unwrapped(target)
        guard let lower = compare(target, low), let upper = compare(target, high) else { return false }
        return lower != .orderedAscending && upper != .orderedDescending
    }

    /// The order of a scalar target relative to a scalar query value, or `nil` if their data types differ.
    static func compare(_ target: JSON, _ value: QueryValue) -> QueryOrder? {
        switch (target, value) {
        case (.number(let t), .number(let v)):
            return t < v ? .orderedAscending : t > v ? .orderedDescending : t == v ? .orderedSame : nil
        case (.bool(let t), .bool(let v)):
            return t == v ? .orderedSame : t ? .orderedDescending : .orderedAscending
        case (.string(let t), .string(let v)):
            if let order = temporalOrder(t, v) { return order }
            return textOrder(t, v)
        case (.string(let t), .uri(let v)):
            return textOrder(t, v)
        case (.string(let t), .dateTime(let v)):
            return temporalOrder(t, v) ?? (TemporalValue(v) == nil ? textOrder(t, v) : nil)
        default:
            return nil
        }
    }

    /// The temporal order when both strings are DateTimes, Dates or Times of the same kind; a Date and a DateTime
    /// compare as midnight UTC of the date and the instant.
    static func temporalOrder(_ target: String, _ value: String) -> QueryOrder? {
        guard let v = TemporalValue(value), let t = TemporalValue(target),
            let (a, b) = TemporalValue.comparable(t, v)
        else { return nil }
        return a < b ? .orderedAscending : a == b ? .orderedSame : .orderedDescending
    }

    /// Unicode code point order (the order of UTF-8 bytes), as RFC 8259 section 8.3 asks.
    static func textOrder(_ target: String, _ value: String) -> QueryOrder {
        var t = target.utf8.makeIterator()
        var v = value.utf8.makeIterator()
        while true {
            switch (t.next(), v.next()) {
            case (nil, nil): return .orderedSame
            case (nil, _): return .orderedAscending
            case (_, nil): return .orderedDescending
            case (let a?, let b?) where a != b: return a < b ? .orderedAscending : .orderedDescending
            default: continue
            }
        }
    }

    /// A JSON-LD value object (`{"@value": …}`) or node reference (`{"@id": …}`) as its plain value.
    static func unwrapped(_ value: JSON) -> JSON {
        guard case .object(let object) = value else { return value }
        return object["@value"] ?? object["@id"] ?? value
    }
}
