public import Foundation
public import MachiCore
public import MachiStore

/// The consent use cases: an application asks a resident for consent, the resident grants, denies or revokes it,
/// and every read of personal data is filtered through the `PersonalDataGuard` they make.
public struct ConsentService: Sendable {
    let store: any ConsentStore
    /// Where reads of personal data are recorded (`personal.read`, with the owner), if anywhere.
    let audit: (any AuditLog)?
    /// Each application's consents, so its reads need no store query for them.
    let granted = GranteeConsentCache()
    /// The entity types each tenant marks personal.
    public let personalTypes: PersonalTypes
    let now: @Sendable () -> Date

    public init(
        store: any ConsentStore,
        audit: (any AuditLog)? = nil,
        personalTypes: PersonalTypes = PersonalTypes(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.audit = audit
        self.personalTypes = personalTypes
        self.now = now
    }

    /// The read of an entity with `types`, owned by `owner` (its `dataOwner`), if the entity is personal in
    /// `tenant`: it names an owner, or it is of a type the tenant marks personal.
    func personalRead(of id: String, types: [String], owner: String?, tenant: String) -> PersonalDataRead? {
        guard owner != nil || personalTypes.contains(types, in: tenant) else { return nil }
        return PersonalDataRead(entityId: id, owner: owner)
    }

    /// Records, before the answer leaves, every personal entity in `served` that someone other than its owner
    /// reads: the owner's access log (`/api/v1/me/access-log`) shows who, when and for what purpose.
    public func recordReads(of served: [Entity], in context: BrokerContext) async throws(NGSIError) {
        guard recordsReads else { return }
        let reads = served.compactMap { entity in
            personalRead(
                of: entity.id,
                types: entity.types,
                owner: PersonalDataGuard.owner(of: entity),
                tenant: context.storeTenant
            )
        }
        try await recordReads(reads, in: context)
    }

    /// Whether reads of personal data are recorded at all (an audit log is wired).
    var recordsReads: Bool { audit != nil }

    /// `recordReads(of:in:)` for temporal representations, whose owners were found by the caller.
    func recordReads(_ reads: [PersonalDataRead], in context: BrokerContext) async throws(NGSIError) {
        guard let audit else { return }
        let others = reads.filter { $0.owner != context.principal.subject }
        guard !others.isEmpty else { return }
        try await storeCall { try await audit.recordReads(others, context: context.audit, tenant: context.storeTenant) }
    }

    /// What an application asks for.
    public struct Request: Sendable {
        public var owner: String
        public var purpose: String
        /// Expanded type IRIs.
        public var entityTypes: [String]
        /// Expanded attribute IRIs; `nil` for all.
        public var attributes: [String]?
        public var validUntil: Date?

        public init(owner: String, purpose: String, entityTypes: [String], attributes: [String]?, validUntil: Date?) {
            self.owner = owner
            self.purpose = purpose
            self.entityTypes = entityTypes
            self.attributes = attributes
            self.validUntil = validUntil
        }
    }

    /// Records a consent request of the calling application (its `client_id` is the grantee), pending the owner's
    /// answer.
    public func request(_ request: Request, in context: BrokerContext) async throws(NGSIError) -> Consent {
        guard let grantee = context.principal.clientId else {
            throw NGSIError(.accessDenied, "Only an application (an OAuth 2.0 client) can ask for consent")
        }
        guard request.owner.hasPrefix("urn:machi:person:") else {
            throw .badRequestData("owner must be a person's common ID (urn:machi:person:…)")
        }
        guard !request.purpose.isEmpty, request.purpose.utf8.count <= 256 else {
            throw .badRequestData("purpose must be 1–256 characters")
        }
        guard !request.entityTypes.isEmpty else { throw .badRequestData("entityTypes must name at least one type") }
        let time = now()
        if let until = request.validUntil, until <= time { throw .badRequestData("validUntil lies in the past") }
        let consent = Consent(
            id: "urn:machi:consent:\(UUID().uuidString.lowercased())",
            owner: request.owner,
            grantee: grantee,
            purpose: request.purpose,
            entityTypes: request.entityTypes,
            attributes: request.attributes,
            validFrom: time,
            validUntil: request.validUntil,
            status: .requested,
            createdAt: time
        )
        try await storeCall {
            try await store.saveConsent(
                consent,
                tenant: context.storeTenant,
                action: .consentRequest,
                origin: context.audit
            )
        }
        granted.invalidate(.init(tenant: context.storeTenant, grantee: grantee))
        return consent
    }

    /// The caller's own consents (as the data owner), newest first.
    public func mine(in context: BrokerContext) async throws(NGSIError) -> [Consent] {
        try await storeCall { try await store.consents(owner: context.principal.subject, tenant: context.storeTenant) }
    }

    /// One of the caller's consents.
    public func mine(id: String, in context: BrokerContext) async throws(NGSIError) -> Consent {
        guard let consent = try await storeCall({ try await store.consent(id: id, tenant: context.storeTenant) }),
            consent.owner == context.principal.subject
        else { throw .notFound("No consent \(id) of yours") }
        return consent
    }

    /// The caller's requests from one application (`grantee`) still awaiting an answer, oldest first: what the
    /// consent step of the sign-in flow asks. Requests whose `validUntil` has passed are left out (a grant would end
    /// at once).
    public func pending(from grantee: String, in context: BrokerContext) async throws(NGSIError) -> [Consent] {
        let time = now()
        return try await mine(in: context).filter { consent in
            consent.grantee == grantee && consent.status == .requested && consent.validUntil.map { time < $0 } ?? true
        }.reversed()
    }

    /// What an owner can answer.
    public enum Decision: String, Sendable, CaseIterable {
        case grant, deny, revoke
    }

    /// The owner's answer: `grant` or `deny` a request, `revoke` a grant (from the next read on, nothing more is
    /// served under it, subscriptions included). Anything else is a `Conflict`.
    public func decide(_ decision: Decision, id: String, in context: BrokerContext) async throws(NGSIError) -> Consent {
        var consent = try await mine(id: id, in: context)
        switch (decision, consent.status) {
        case (.grant, .requested): consent.status = .granted
        case (.deny, .requested): consent.status = .denied
        case (.revoke, .granted), (.revoke, .requested): consent.status = .revoked
        default:
            throw NGSIError(
                .conflict,
                "A \(consent.status.rawValue) consent cannot be answered with \(decision.rawValue)"
            )
        }
        let time = now()
        if decision == .grant { consent.validFrom = max(consent.validFrom, time) }
        consent.modifiedAt = time
        let updated = consent
        let action: AuditAction =
            switch decision {
            case .grant: .consentGrant
            case .deny: .consentDeny
            case .revoke: .consentRevoke
            }
        try await storeCall {
            try await store.saveConsent(updated, tenant: context.storeTenant, action: action, origin: context.audit)
        }
        granted.invalidate(.init(tenant: context.storeTenant, grantee: updated.grantee))
        return updated
    }

    /// The guard for the reads of one request: everything for open mode, Machi itself and staff with
    /// `personal:read`; otherwise the consents given to the caller's application as they are now (so a revocation
    /// holds from the next read on).
    public func guardFor(_ context: BrokerContext) async throws(NGSIError) -> PersonalDataGuard {
        let principal = context.principal
        if PersonalDataGuard.seesEverything(principal, tenant: context.storeTenant) { return .unrestricted }
        var consents: [Consent] = []
        if let grantee = principal.clientId { consents = try await self.consents(grantee: grantee, context) }
        return PersonalDataGuard(
            principal: principal,
            tenant: context.storeTenant,
            purpose: context.purpose,
            consents: consents,
            personalTypes: personalTypes.types(in: context.storeTenant),
            now: now()
        )
    }
}

extension ConsentService {
    /// The consents given to `grantee` in the request's tenant, from the cache or else the store.
    func consents(grantee: String, _ context: BrokerContext) async throws(NGSIError) -> [Consent] {
        let key = GranteeConsentCache.Key(tenant: context.storeTenant, grantee: grantee)
        let (cached, generation) = granted.cached(key)
        if let cached { return cached }
        let loaded = try await storeCall { try await store.consents(grantee: grantee, tenant: context.storeTenant) }
        granted.keep(loaded, for: key, loadedAt: generation)
        return loaded
    }
}
