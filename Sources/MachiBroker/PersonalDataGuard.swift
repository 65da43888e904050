public import Foundation
public import MachiCore
import OrderedCollections

/// Decides, per entity, whether one reader may see personal data. An entity is personal when it names its owner
/// in the `dataOwner` Relationship (the term under the core @context, so its expanded name is
/// `https://uri.etsi.org/ngsi-ld/default-context/dataOwner`), whose object is the owner's common ID, or when it is
/// of a type its tenant marks personal (`PersonalTypes`); its owner is then its `dataOwner`, if it names one.
///
/// A personal entity with an owner is shown to its owner; to staff (role admin or operator in the tenant) whose
/// token carries `personal:read`; to an application with a consent in force for the owner, one of the entity's
/// types and the purpose the request states — with only the consented attributes, when the consent names some. A
/// personal entity without an owner (of a personal type, no `dataOwner`) is shown only to readers who see
/// everything. Everyone else does not see it at all, as if it did not exist. Open mode and Machi's own components
/// see everything.
public struct PersonalDataGuard: Sendable {
    /// The expanded name of the attribute that marks personal data.
    public static let ownerAttribute = "https://uri.etsi.org/ngsi-ld/default-context/dataOwner"

    enum Reach: Sendable {
        case everything
        case restricted(
            subject: String,
            grantee: String?,
            purpose: String?,
            consents: [Consent],
            personalTypes: Set<String>,
            now: Date
        )
    }

    let reach: Reach

    /// A guard that lets everything through.
    public static let unrestricted = PersonalDataGuard(reach: .everything)

    /// The guard for `principal` in `tenant`, with the consents given to the principal's application and the
    /// types the tenant marks personal.
    public init(
        principal: Principal,
        tenant: String,
        purpose: String?,
        consents: [Consent],
        personalTypes: Set<String> = [],
        now: Date
    ) {
        if Self.seesEverything(principal, tenant: tenant) {
            reach = .everything
        } else {
            reach = .restricted(
                subject: principal.subject,
                grantee: principal.clientId,
                purpose: purpose,
                consents: consents,
                personalTypes: personalTypes,
                now: now
            )
        }
    }

    init(reach: Reach) { self.reach = reach }

    /// Whether the principal sees all personal data of the tenant, so no consent needs loading.
    public static func seesEverything(_ principal: Principal, tenant: String) -> Bool {
        if principal.isOpenMode || principal.kind == .system { return true }
        let staff = !principal.roles(in: tenant).isDisjoint(with: [.admin, .operator])
        return staff && principal.scopes.contains(Scope.personalRead)
    }

    public var isUnrestricted: Bool {
        if case .everything = reach { return true }
        return false
    }

    /// `query` narrowed to what this reader may see: entities that are not personal (no owner, not of a personal
    /// type), the reader's own, and those of owners whose consent to the reader's application is in force for the
    /// stated purpose — so pages and counts hold only visible entities. (`visible(_:)` still checks types and
    /// attributes per entity.)
    public func restrict(_ query: EntityQuery) -> EntityQuery {
        guard case .restricted(let subject, let grantee, let purpose, let consents, let personalTypes, let now) = reach
        else { return query }
        var owners = [subject]
        if let grantee {
            for consent in consents where consent.grantee == grantee && consent.purpose == purpose {
                if consent.isInForce(at: now), !owners.contains(consent.owner) { owners.append(consent.owner) }
            }
        }
        let owner = AttributePath(attribute: Self.ownerAttribute)
        var notPersonal = QueryExpression.not(.term(QueryTerm(path: owner, comparison: nil)))
        if !personalTypes.isEmpty {
            let marked = TypeExpression.or(personalTypes.sorted().map(TypeExpression.type))
            notPersonal = .and([notPersonal, .not(.entityTypes(marked))])
        }
        let visible = QueryExpression.or([
            notPersonal,
            .term(QueryTerm(path: owner, comparison: .equal(.list(owners.map(QueryValue.uri))))),
        ])
        var restricted = query
        restricted.q = query.q.map { .and([$0, visible]) } ?? visible
        return restricted
    }

    /// The owner's common ID (`dataOwner`), if the entity names one.
    public static func owner(of entity: Entity) -> String? {
        entity.attribute(ownerAttribute)?.value?.stringValue
    }

    /// How much of an entity owned by `owner` (`nil`: none named) with `types` this reader may see.
    enum Reading: Equatable {
        case all
        case nothing
        /// Only these attributes (expanded names), and `dataOwner`.
        case attributes(Set<String>)
    }

    func reading(owner: String?, types: [String]) -> Reading {
        guard case .restricted(let subject, let grantee, let purpose, let consents, let personalTypes, let now) = reach
        else { return .all }
        guard let owner else {
            // Of a personal type but nobody's: only for readers who see everything.
            return types.contains(where: personalTypes.contains) ? .nothing : .all
        }
        if owner == subject { return .all }
        guard let grantee,
            let consent = consents.first(where: {
                $0.permits(grantee: grantee, owner: owner, types: types, purpose: purpose, at: now)
            })
        else { return .nothing }
        return consent.attributes.map { .attributes(Set($0).union([Self.ownerAttribute])) } ?? .all
    }

    /// The entity as this reader may see it, or `nil` when it must stay hidden.
    public func visible(_ entity: Entity) -> Entity? {
        switch reading(owner: Self.owner(of: entity), types: entity.types) {
        case .all: return entity
        case .nothing: return nil
        case .attributes(let allowed):
            var shown = entity
            shown.attributes = shown.attributes.filter { name, _ in allowed.contains(name) }
            return shown
        }
    }

    /// The temporal evolution of an entity owned by `owner` (`nil`: none named) as this reader may see it, or
    /// `nil` when it must stay hidden.
    public func visible(_ temporal: TemporalEntity, owner: String?) -> TemporalEntity? {
        switch reading(owner: owner, types: temporal.types) {
        case .all: return temporal
        case .nothing: return nil
        case .attributes(let allowed):
            var shown = temporal
            shown.instances = shown.instances.filter { name, _ in allowed.contains(name) }
            shown.pagedOut = shown.pagedOut.filter { name, _ in allowed.contains(name) }
            return shown
        }
    }
}
