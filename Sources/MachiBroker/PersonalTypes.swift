import Foundation
import MachiCore

/// The entity types each tenant marks personal (`consent.personal.types`): an entity of such a type is personal
/// data whether or not it names an owner (docs/consent.md, "What is personal").
public struct PersonalTypes: Sendable, Hashable {
    /// Tenant (`""` for the default tenant) → expanded type IRIs.
    public var byTenant: [String: Set<String>]

    public init(_ byTenant: [String: Set<String>] = [:]) {
        self.byTenant = byTenant.filter { !$0.value.isEmpty }
    }

    /// The personal types of `tenant` (store name: `""` is the default tenant).
    public func types(in tenant: String) -> Set<String> { byTenant[tenant] ?? [] }

    /// Whether an entity with `types` is of a type `tenant` marks personal.
    public func contains(_ types: [String], in tenant: String) -> Bool {
        guard let marked = byTenant[tenant] else { return false }
        return types.contains(where: marked.contains)
    }

    /// Reads `tenant=Type` entries separated by commas (`shiojiri=MaternalHandbookRecord, shiojiri=ChildPosition,
    /// default=CareRecord`): `default` names the default tenant; a type is an IRI, or a short name expanded with
    /// the NGSI-LD core @context (`MaternalHandbookRecord` →
    /// `https://uri.etsi.org/ngsi-ld/default-context/MaternalHandbookRecord`).
    /// - Throws: `PersonalTypesError` naming the entry that is not `tenant=Type`.
    public static func parse(_ text: String) throws(PersonalTypesError) -> PersonalTypes {
        var result: [String: Set<String>] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !parts[1].contains(" ") else {
                throw PersonalTypesError(entry: String(entry))
            }
            let tenant = parts[0] == "default" ? "" : parts[0]
            result[tenant, default: []].insert(JSONLDContext.core.expandTerm(parts[1]))
        }
        return PersonalTypes(result)
    }
}

/// A `consent.personal.types` entry that is not `tenant=Type`.
public struct PersonalTypesError: Error, Sendable, CustomStringConvertible {
    public var entry: String
    public var description: String { "consent.personal.types entry \"\(entry)\" is not tenant=Type" }
}
