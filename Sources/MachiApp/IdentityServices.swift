import Foundation
import MachiHTTP
public import MachiIdentity
public import MachiSQLite
public import MachiStore

/// The identity provider of one data directory: its store (`identity.sqlite`), the OAuth service and the
/// directory of users and clients. `machi serve` and the `machi user|client|token` commands open it the same way.
///
/// The identity database holds its own audit chain (sign-ins, token issues, administration of users and clients);
/// `audit` is that chain, `nil` when `audit.enabled` is off.
public struct IdentityServices: Sendable {
    public let store: SQLiteIdentityStore
    public let oauth: OAuthService
    /// The directory of users and clients; its changes are recorded as `Administrator.unattributed` until a caller
    /// names itself with `administered(by:)`.
    public let directory: IdentityDirectory
    /// Users and clients as they are now, for readers that outlive their token (subscriptions); the directory's
    /// changes invalidate it.
    public let principals: CurrentPrincipals
    /// The identity database's audit chain, if the trail is on.
    public var audit: (any AuditLog)? { oauth.events }

    /// Closes the identity database (a server opens its own).
    public func close() throws { try store.close() }

    /// Opens the identity database of `configuration`'s data directory (in memory without one), loads the
    /// deployment secret and prepares the signing keys.
    public static func open(
        configuration: AppConfiguration,
        consent: any SignInConsentStep = NoConsentStep()
    ) async throws -> IdentityServices {
        let storage: SQLiteStoreConfiguration.Storage =
            configuration.dataDirectory.map { .directory(URL(fileURLWithPath: $0, isDirectory: true)) } ?? .inMemory
        let store = try SQLiteIdentityStore(storage: storage)
        let secret = try IdentitySecret.load(
            configured: configuration.identitySecret,
            dataDirectory: configuration.dataDirectory
        )
        let identity =
            configuration.identity
            ?? IdentityConfiguration(issuer: configuration.publicURL ?? "http://localhost:\(configuration.port)")
        // Sign-ins, token issues and administrative changes are recorded in the identity file's own audit chain.
        let oauth = OAuthService(
            configuration: identity,
            store: store,
            secret: secret,
            jwksSource: identity.externalIssuers.isEmpty ? nil : HTTPJWKSSource(),
            consent: consent,
            events: configuration.auditEnabled ? store : nil
        )
        try await oauth.prepare()
        let principals = CurrentPrincipals(store: store)
        return IdentityServices(
            store: store,
            oauth: oauth,
            directory: IdentityDirectory(
                store: store,
                pseudonymizer: oauth.pseudonymizer,
                hasher: oauth.hasher,
                audited: configuration.auditEnabled,
                principals: principals
            ),
            principals: principals
        )
    }
}
