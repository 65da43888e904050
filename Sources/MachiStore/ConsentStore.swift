import Foundation
public import MachiCore

/// Where consents live: in the database of the tenant whose personal data they cover.
public protocol ConsentStore: Sendable {
    /// Stores `consent` (replacing one with the same id) and, in the same transaction, its audit record (`action` by
    /// `origin`); returns after the commit.
    func saveConsent(_ consent: Consent, tenant: String, action: AuditAction, origin: AuditContext) async throws
    func consent(id: String, tenant: String) async throws -> Consent?
    /// The consents of one owner, newest first.
    func consents(owner: String, tenant: String) async throws -> [Consent]
    /// The consents given to one application (`client_id`), newest first.
    func consents(grantee: String, tenant: String) async throws -> [Consent]
}
