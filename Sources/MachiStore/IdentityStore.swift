public import Foundation

/// Where the identity provider keeps users, clients, pseudonymous external IDs, grants and signing keys.
///
/// Secrets are stored only hashed (passwords, client secrets, authorization codes, refresh tokens); external
/// identifiers only as keyed pseudonyms. Every method either does all it says or changes nothing.
///
/// The administrative changes (users, clients, external identifiers) take the `audit` events that record them
/// (`admin.*`): a store that keeps an audit chain appends them in the transaction of the change, and only when the
/// change is made; the variants without `audit` record nothing.
public protocol IdentityStore: Sendable {
    /// Stores a new user. `false` (nothing changed, nothing recorded) if the subject or username exists.
    func insertUser(_ user: UserRecord, audit: [AuditEvent]) async throws -> Bool
    /// Replaces a user (matched by subject). `false` if there is none.
    func updateUser(_ user: UserRecord, audit: [AuditEvent]) async throws -> Bool
    func user(subject: String) async throws -> UserRecord?
    func user(username: String) async throws -> UserRecord?
    /// Every user, by username.
    func users() async throws -> [UserRecord]

    /// Stores a new client. `false` if the client id exists.
    func insertClient(_ client: ClientRecord, audit: [AuditEvent]) async throws -> Bool
    func client(id: String) async throws -> ClientRecord?
    /// Every client, by client id.
    func clients() async throws -> [ClientRecord]
    /// Deletes a client and its grants (codes, refresh tokens). `false` if there is none.
    func deleteClient(id: String, audit: [AuditEvent]) async throws -> Bool

    /// Links the pseudonym of an external identifier to a subject. `false` if the pseudonym is linked already.
    func linkExternalID(scheme: String, pseudonym: String, subject: String, audit: [AuditEvent]) async throws -> Bool
    /// The subject an external identifier's pseudonym is linked to.
    func subject(scheme: String, pseudonym: String) async throws -> String?
    /// The schemes and pseudonyms linked to a subject.
    func externalIDs(subject: String) async throws -> [(scheme: String, pseudonym: String)]

    func insertAuthorizationCode(_ code: AuthorizationCodeRecord) async throws
    /// Marks the code used and returns it as it was before (so `usedAt != nil` means it had been used already).
    func consumeAuthorizationCode(hash: String, at date: Date) async throws -> AuthorizationCodeRecord?

    func insertRefreshToken(_ token: RefreshTokenRecord) async throws
    /// Marks the token used and returns it as it was before.
    func consumeRefreshToken(hash: String, at date: Date) async throws -> RefreshTokenRecord?
    func refreshToken(hash: String) async throws -> RefreshTokenRecord?
    /// Revokes every refresh token of the family and records the `jti` of their access tokens as revoked.
    func revokeTokenFamily(_ familyId: String) async throws

    /// Records an access token id as revoked until it expires.
    func revokeAccessToken(id: String, expiresAt: Date) async throws
    func isAccessTokenRevoked(id: String) async throws -> Bool
    /// How many revoking writes (token revocations, deleted clients) this store object has made: a cache of verified
    /// tokens looks revocation up again when it changes. Read without touching the database.
    var revocations: Int { get }

    func signingKeys() async throws -> [SigningKeyRecord]
    func insertSigningKey(_ key: SigningKeyRecord) async throws
    func retireSigningKey(kid: String, at date: Date) async throws
    func deleteSigningKey(kid: String) async throws

    /// Deletes expired codes, refresh tokens and revoked-token entries.
    func purgeExpired(before date: Date) async throws
}

extension IdentityStore {
    /// Stores a new user without an audit record.
    public func insertUser(_ user: UserRecord) async throws -> Bool { try await insertUser(user, audit: []) }
    /// Replaces a user without an audit record.
    public func updateUser(_ user: UserRecord) async throws -> Bool { try await updateUser(user, audit: []) }
    /// Stores a new client without an audit record.
    public func insertClient(_ client: ClientRecord) async throws -> Bool { try await insertClient(client, audit: []) }
    /// Deletes a client without an audit record.
    public func deleteClient(id: String) async throws -> Bool { try await deleteClient(id: id, audit: []) }
    /// Links an external identifier's pseudonym without an audit record.
    public func linkExternalID(scheme: String, pseudonym: String, subject: String) async throws -> Bool {
        try await linkExternalID(scheme: scheme, pseudonym: pseudonym, subject: subject, audit: [])
    }
}
