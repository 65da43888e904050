public import MachiBroker
import MachiCore
public import MachiIdentity
import MachiStore

/// The consent step of the sign-in flow (docs/consent.md, "In the sign-in flow"): after a resident signs in to an
/// application, it asks them about that application's consent requests still awaiting their answer, records each
/// answer through `ConsentService` — the same path, checks and audit records (`consent.grant`, `consent.deny`) as
/// `POST /api/v1/me/consents/{id}/grant|deny` — and then lets the sign-in go on to the authorization code.
///
/// - The requests are those stored in the application's own tenant (the tenant it was registered in).
/// - Denying, even everything, still proceeds: a consent request is the application asking to read personal
///   data, not part of the OAuth authorization itself; refusing it must not lock the resident out of the app.
/// - Requests answered meanwhile elsewhere (the portal API, another tab), expired ones, and ones not shown on the
///   page are skipped; questions left unanswered stay pending and are asked again at the next sign-in.
public struct ConsentRequestStep: SignInConsentStep {
    let consents: ConsentService

    public init(consents: ConsentService) {
        self.consents = consents
    }

    public func afterSignIn(_ signIn: SignInConsentRequest) async throws -> SignInConsentOutcome {
        let tenant = signIn.client.tenant
        let context = BrokerContext(
            tenant: tenant.isEmpty ? nil : tenant,
            requestId: signIn.requestId ?? "signin",
            principal: Principal(subject: signIn.subject, kind: .person, clientId: signIn.client.clientId)
        )
        let pending = try await consents.pending(from: signIn.client.clientId, in: context)
        if let decisions = SignInConsentAnswers.decisions(in: signIn.form) {
            for consent in pending {
                guard let grant = decisions[consent.id] else { continue }
                try await answer(consent, grant: grant, in: context)
            }
            return .proceed
        }
        guard !pending.isEmpty else { return .proceed }
        return .ask(pending.map(Self.question))
    }

    /// Grants or denies one request; one answered meanwhile (the portal, another tab) is skipped.
    private func answer(_ consent: Consent, grant: Bool, in context: BrokerContext) async throws(NGSIError) {
        do throws(NGSIError) {
            _ = try await consents.decide(grant ? .grant : .deny, id: consent.id, in: context)
        } catch {
            guard error.code == .conflict || error.code == .resourceNotFound else { throw error }
        }
    }

    static func question(_ consent: Consent) -> SignInConsentQuestion {
        let core = JSONLDContext.core
        return SignInConsentQuestion(
            id: consent.id,
            purpose: consent.purpose,
            entityTypes: consent.entityTypes.map(core.compactIRI),
            attributes: consent.attributes?.map(core.compactIRI),
            validFrom: consent.validFrom,
            validUntil: consent.validUntil
        )
    }
}
