import GRDB
import MachiCore

/// Translates `q` into `attr_num` / `attr_str` / `attr` pre-filters.
///
/// A translated condition is always implied by the term (it selects a superset of the entities the term accepts);
/// what cannot be translated safely becomes "no condition" (`nil`):
/// - `name op literal` on a top-level attribute: an `attr_num` row of that name whose number satisfies `op`, or an
///   `attr_str` row whose text does; lists are `OR`, ranges `BETWEEN`. Text compares in code-point order (SQLite's
///   `BINARY` on UTF-8), as `q` does.
/// - any other term (existence, `!=`, `~=`, `!~=`, a sub-attribute, a compound path, a literal that may be a
///   DateTime, Date or Time, which `q` compares as an instant) and a linked-entity term: the attribute exists,
///   since a term on a missing attribute is false (for `!=` too).
/// - top-level `createdAt` / `modifiedAt` (the entity's own timestamps) and `!expr`: nothing.
/// - `.entityTypes`: the entity's types, as the `type` filter does.
/// - `and` keeps the translatable parts; `or` needs every branch translated.
enum QTranslator {
    static func condition(_ expression: QueryExpression) -> SQLFragment? {
        switch expression {
        case .and(let parts):
            let translated = parts.compactMap(condition)
            return translated.isEmpty ? nil : .and(translated)
        case .or(let parts):
            var translated: [SQLFragment] = []
            for part in parts {
                guard let condition = condition(part) else { return nil }
                translated.append(condition)
            }
            return .or(translated)
        case .term(let term):
            return condition(term)
        case .not:
            // The inner SQL is a superset, so its negation would not be.
            return nil
        case .linked(let relationship, _, _):
            // Some object of the relationship must exist.
            return exists(relationship)
        case .entityTypes(let types):
            // Exact, like the `type` filter.
            return QueryPlan.condition(types, correlated: false)
        }
    }

    private static let coreMembers: Set<String> = ["id", "type", "scope", "createdAt", "modifiedAt", "@id", "@type"]

    static func condition(_ term: QueryTerm) -> SQLFragment? {
        let name = term.path.attribute
        guard !isEntityMember(name) else { return nil }
        guard let comparison = term.comparison, term.path.subAttributes.isEmpty, term.path.compound.isEmpty else {
            return exists(name)
        }
        let value: ValueCondition?
        switch comparison {
        case .equal(let literal): value = equal(literal)
        case .greater(let literal): value = ordered(literal, ">")
        case .greaterOrEqual(let literal): value = ordered(literal, ">=")
        case .less(let literal): value = ordered(literal, "<")
        case .lessOrEqual(let literal): value = ordered(literal, "<=")
        case .notEqual, .matches, .notMatches: value = nil
        }
        guard let value else { return exists(name) }
        return value.fragment(name: name)
    }

    /// A condition on the values of one attribute: on its numbers, its strings, or (for lists) any of several.
    private enum ValueCondition {
        case number(SQLFragment)
        case string(SQLFragment)
        case any([ValueCondition])

        func fragment(name: String) -> SQLFragment {
            switch self {
            case .number(let condition):
                SQLFragment(
                    "rowid IN (SELECT entity_rowid FROM attr_num WHERE name = \(TermTable.termID) AND \(condition.sql))",
                    [name.databaseValue] + condition.arguments
                )
            case .string(let condition):
                SQLFragment(
                    "rowid IN (SELECT entity_rowid FROM attr_str WHERE name = \(TermTable.termID) AND \(condition.sql))",
                    [name.databaseValue] + condition.arguments
                )
            case .any(let conditions):
                .or(conditions.map { $0.fragment(name: name) })
            }
        }
    }

    /// The attribute `name` exists (has at least one instance).
    private static func exists(_ name: String) -> SQLFragment? {
        guard !isEntityMember(name) else { return nil }
        return SQLFragment(
            "rowid IN (SELECT entity_rowid FROM attr WHERE name = \(TermTable.termID))",
            [name.databaseValue]
        )
    }

    /// Names a top-level path may resolve to the entity's own members instead of an attribute.
    private static func isEntityMember(_ name: String) -> Bool {
        coreMembers.contains(name) || name.hasPrefix("https://uri.etsi.org/ngsi-ld/")
    }

    /// `value == literal` over one value row, or `nil` if it cannot be expressed.
    private static func equal(_ literal: QueryValue) -> ValueCondition? {
        switch literal {
        case .list(let values):
            var parts: [ValueCondition] = []
            for value in values {
                guard let part = equal(value) else { return nil }
                parts.append(part)
            }
            return .any(parts)
        case .range(let low, let high):
            if case .number(let a) = low, case .number(let b) = high {
                return .number(SQLFragment("num BETWEEN ? AND ?", [a.databaseValue, b.databaseValue]))
            }
            if let a = text(low), let b = text(high) {
                return .string(SQLFragment("str BETWEEN ? AND ?", [a.databaseValue, b.databaseValue]))
            }
            return nil
        case .bool(let bool):
            return .number(SQLFragment("num = ?", [(bool ? 1.0 : 0.0).databaseValue]))
        default:
            return ordered(literal, "=")
        }
    }

    /// `value op literal` for a number or text literal.
    private static func ordered(_ literal: QueryValue, _ op: String) -> ValueCondition? {
        if case .number(let number) = literal { return .number(SQLFragment("num \(op) ?", [number.databaseValue])) }
        if let string = text(literal) { return .string(SQLFragment("str \(op) ?", [string.databaseValue])) }
        return nil
    }

    /// The literal as text compared in code-point order, or `nil` if `q` may compare it otherwise (a string that
    /// may be a DateTime, Date or Time is compared as an instant with temporal targets).
    private static func text(_ literal: QueryValue) -> String? {
        switch literal {
        case .uri(let string): string
        case .string(let string), .dateTime(let string): mayBeTemporal(string) ? nil : string
        default: nil
        }
    }

    /// Whether MachiCore may read `string` as a DateTime, Date or Time: those start with a digit and are 8 to 40
    /// bytes long.
    static func mayBeTemporal(_ string: String) -> Bool {
        guard let first = string.utf8.first else { return false }
        return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) && (8...40).contains(string.utf8.count)
    }
}
