import Foundation
import MachiCore
import Synchronization

/// Machi access tokens verified recently, so that a client sending the same token with every request pays for the
/// signature check and the claims once, not per request.
///
/// An entry serves its principal only while the token is within its validity (`nbf` ≤ now < `exp`). Revocation
/// is looked up again (in the store) when the store reports a revoking write since the entry was checked — which
/// covers every revocation made by this process at once — and otherwise every `recheckInterval`, which bounds how
/// long a revocation made by another process (`machi client remove`) takes to hold.
final class VerifiedTokenCache: Sendable {
    struct Entry: Sendable {
        var principal: Principal
        var jti: String
        var notBefore: Date
        var expiresAt: Date
        var checkedAt: Date
        var revocations: Int
    }

    /// What a lookup found.
    enum Lookup: Sendable {
        /// Valid, and its revocation checked recently enough.
        case fresh(Principal)
        /// Valid, but revocation must be looked up again before it is used.
        case recheck(Entry)
        /// Not cached (or no longer valid): verify it from scratch.
        case miss
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int
    let recheckInterval: TimeInterval

    init(capacity: Int = 10_000, recheckInterval: TimeInterval = 5) {
        self.capacity = max(1, capacity)
        self.recheckInterval = recheckInterval
    }

    /// The cached state of `token` at `now`, when the store has made `revocations` revoking writes.
    func lookup(_ token: String, now: Date, revocations: Int) -> Lookup {
        entries.withLock { entries in
            guard let entry = entries[token] else { return .miss }
            guard entry.notBefore <= now, now < entry.expiresAt else {
                entries[token] = nil
                return .miss
            }
            if entry.revocations == revocations, now.timeIntervalSince(entry.checkedAt) < recheckInterval {
                return .fresh(entry.principal)
            }
            return .recheck(entry)
        }
    }

    /// Remembers a token whose signature, claims and revocation were checked at `entry.checkedAt`.
    func insert(_ token: String, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[token] == nil {
                entries = entries.filter { $0.value.expiresAt > entry.checkedAt }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = entry
        }
    }

    func remove(_ token: String) {
        _ = entries.withLock { $0.removeValue(forKey: token) }
    }

    var count: Int { entries.withLock { $0.count } }
}
