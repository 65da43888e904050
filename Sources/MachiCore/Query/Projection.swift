import OrderedCollections

/// A `pick` or `omit` projection (ETSI GS CIM 009 4.21): entity members (`id`, `type`, `scope`, attribute names)
/// separated by `,` or `|`, each optionally followed by `{…}`, a projection of the Linked Entities its
/// Relationship points to (only meaningful with `join`).
///
/// `id,locatedAt{id,name,isInCountry{description}}` picks `id` and `locatedAt`, and in the linked City `id`, `name`
/// and `isInCountry`, and in the linked Country only `description`. For `omit`, a member with braces is kept and
/// the braces say what to leave out of its linked entities: `omit=type,locatedAt{name}` removes `type` from the
/// entity and `name` from the linked entities.
public struct Projection: Sendable, Hashable {
    /// One member of a projection.
    public struct Member: Sendable, Hashable {
        /// The member name (short while parsed, an IRI once expanded; `id`, `type`, `scope` stay as they are).
        public var name: String
        /// The projection of the linked entities, from `name{…}`.
        public var linked: Projection?

        public init(name: String, linked: Projection? = nil) {
            self.name = name
            self.linked = linked
        }
    }

    /// The members, in order.
    public var members: [Member]

    public init(members: [Member]) { self.members = members }

    /// A flat projection of these names.
    public init(names: [String]) { self.members = names.map { Member(name: $0) } }

    /// Entity members that are not attributes and are never expanded.
    public static let entityMembers: Set<String> = ["id", "type", "scope"]

    /// The names at this level.
    public var names: [String] { members.map(\.name) }

    /// How many Linked Entity hops the projection addresses (0 when it has no braces).
    public var depth: Int { members.map { $0.linked.map { 1 + $0.depth } ?? 0 }.max() ?? 0 }

    /// The projection of the entities linked through `name`, if the projection has braces there.
    public func linked(_ name: String) -> Projection? { members.first { $0.name == name && $0.linked != nil }?.linked }

    /// The projection with attribute names expanded (`id`, `type` and `scope` are kept).
    public func expanded(_ expand: (String) -> String) -> Projection {
        Projection(
            members: members.map { member in
                Member(
                    name: Self.entityMembers.contains(member.name) ? member.name : expand(member.name),
                    linked: member.linked?.expanded(expand)
                )
            }
        )
    }

    /// Parses the 4.21 grammar; `parameter` names the parameter in error messages.
    /// - Throws: `BadRequestData` for an empty member, an unbalanced or empty brace, or a character names cannot
    ///   hold.
    public static func parse(_ text: String, parameter: String = "pick") throws(NGSIError) -> Projection {
        var cursor = try QueryCursor(text, language: parameter, limits: QueryLimits())
        let projection = try parseList(&cursor)
        guard cursor.isAtEnd else { throw cursor.error("unexpected character") }
        return projection
    }

    private static func parseList(_ cursor: inout QueryCursor) throws(NGSIError) -> Projection {
        var members: [Member] = []
        while true {
            let start = cursor.index
            while let c = cursor.current, !"{},|".unicodeScalars.contains(c) { cursor.index += 1 }
            let name = cursor.text(start..<cursor.index)
            guard !name.isEmpty else { throw cursor.error("expected a member name") }
            guard NameRules.isValidName(name) else { throw cursor.error("invalid member name \"\(name)\"", at: start) }
            var member = Member(name: name)
            if cursor.consume("{") {
                try cursor.enter()
                member.linked = try parseList(&cursor)
                guard cursor.consume("}") else { throw cursor.error("expected '}'") }
                cursor.leave()
            }
            members.append(member)
            guard cursor.consume(",") || cursor.consume("|") else { break }
        }
        return Projection(members: members)
    }
}
