public import Foundation
public import MachiCore
public import MachiStore
import Synchronization

/// A principal as the identity directory has it *now*, for readers that outlive their token — a subscription
/// delivers as its creator for as long as it exists. Cheap enough for every delivery: users and clients are cached
/// for `lifetime` (5 s by default), and every change made through an `IdentityDirectory` that shares this cache
/// drops it at once (changes made by another process, `machi user`, reach it within `lifetime`).
///
/// - A person with a Machi common ID (`urn:machi:person:…`): `nil` once deleted or disabled; otherwise with the
///   roles the user has now (the token's scopes stay).
/// - An application (client credentials): `nil` once its client is removed; otherwise with the client's roles now,
///   and only the token's scopes the client still has.
/// - Anyone else (external subjects without a linked user, devices, Machi itself): unchanged.
public final class CurrentPrincipals: Sendable {
    private enum Lookup: Sendable {
        case user(UserRecord?)
        case client(ClientRecord?)
    }

    private let store: any IdentityStore
    private let lifetime: TimeInterval
    private let now: @Sendable () -> Date
    private let cache = Mutex<[String: (lookup: Lookup, expires: Date)]>([:])

    public init(store: any IdentityStore, lifetime: TimeInterval = 5, now: @escaping @Sendable () -> Date = { Date() })
    {
        self.store = store
        self.lifetime = lifetime
        self.now = now
    }

    /// `principal` with its roles (and, for an application, scopes) as they are now; `nil` when it is gone.
    public func current(_ principal: Principal) async throws -> Principal? {
        switch principal.kind {
        case .person where principal.subject.hasPrefix(CommonID.personPrefix):
            guard
                case .user(let found) = try await lookup(
                    "u:" + principal.subject,
                    { .user(try await $0.user(subject: principal.subject)) }
                ),
                let user = found, !user.disabled
            else { return nil }
            var current = principal
            current.roles = OAuthService.roles(user.roles)
            return current
        case .application:
            guard let clientId = principal.clientId,
                case .client(let found) = try await lookup(
                    "c:" + clientId,
                    { .client(try await $0.client(id: clientId)) }
                ),
                let client = found
            else { return nil }
            var current = principal
            current.roles = OAuthService.roles(client.roles)
            current.scopes = principal.scopes.intersection(client.scopes)
            return current
        default:
            return principal
        }
    }

    /// Forgets every cached user and client: the directory changed.
    public func invalidate() {
        cache.withLock { $0.removeAll() }
    }

    private func lookup(
        _ key: String,
        _ load: @Sendable (any IdentityStore) async throws -> Lookup
    ) async throws -> Lookup {
        let time = now()
        if let hit = cache.withLock({ $0[key] }), hit.expires > time { return hit.lookup }
        let loaded = try await load(store)
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[key] = (loaded, time.addingTimeInterval(lifetime))
        }
        return loaded
    }
}
