import MachiCore
import Synchronization

/// Recently read entities of one tenant, so that a read by id usually needs neither a database read nor a JSON
/// parse. Always consistent with committed data:
///
/// - a reader that misses puts a `pending` marker with its own token *before* it opens its read snapshot, and
///   fills the entry afterwards only if its marker is still there;
/// - the writer, after each commit and before any caller hears of it, overwrites or removes the entry of every
///   entity it changed, markers included.
///
/// So a reader whose snapshot predates a commit always finds its marker gone, and never caches a stale entity;
/// and a caller that saw its write acknowledged reads it back. Writes do not add entries (a bulk load would evict
/// what readers use); reads do. When full, each new entry evicts a few arbitrary ones, released outside the lock.
final class EntityCache: Sendable {
    private enum Slot {
        case entity(Entity)
        case pending(UInt64)
    }

    private struct State {
        var slots: [String: Slot] = [:]
        var nextToken: UInt64 = 0
    }

    /// What `lookup` found.
    enum Lookup {
        case hit(Entity)
        /// Read the database, then call `fill` with this token.
        case miss(token: UInt64?)
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// - Parameter capacity: The most entities kept; zero turns the cache off.
    init(capacity: Int) { self.capacity = max(0, capacity) }

    /// The cached entity, or a miss with the token to `fill` once the database was read (`nil` when another read
    /// of the same id is under way or the cache is off: then read without filling).
    func lookup(_ id: String) -> Lookup {
        guard capacity > 0 else { return .miss(token: nil) }
        var evicted: [Slot] = []
        let result = state.withLock { state -> Lookup in
            switch state.slots[id] {
            case .entity(let entity): return .hit(entity)
            case .pending: return .miss(token: nil)
            case nil:
                state.nextToken &+= 1
                if state.slots.count >= capacity {
                    evicted = Self.evict(&state, count: state.slots.count - capacity + 2)
                }
                state.slots[id] = .pending(state.nextToken)
                return .miss(token: state.nextToken)
            }
        }
        evicted.removeAll()  // entities are freed here, outside the lock
        return result
    }

    /// Stores what the reader holding `token` read (`nil`: no such entity, or the read failed), unless a write
    /// has touched the id since its `lookup`.
    func fill(_ id: String, token: UInt64, with entity: Entity?) {
        state.withLock { state in
            guard case .pending(token) = state.slots[id] else { return }
            state.slots[id] = entity.map(Slot.entity)
        }
    }

    /// Records committed changes: `after` is the entity now stored under each id (`nil`: deleted).
    func committed(_ changes: some Sequence<(id: String, after: Entity?)>) {
        guard capacity > 0 else { return }
        state.withLock { state in
            for change in changes where state.slots[change.id] != nil {
                state.slots[change.id] = change.after.map(Slot.entity)
            }
        }
    }

    /// Removes `count` arbitrary entries (the first in the dictionary's hash order) and returns them.
    private static func evict(_ state: inout State, count: Int) -> [Slot] {
        var removed: [Slot] = []
        removed.reserveCapacity(count)
        for key in Array(state.slots.keys.prefix(count)) {
            if let slot = state.slots.removeValue(forKey: key) { removed.append(slot) }
        }
        return removed
    }
}
