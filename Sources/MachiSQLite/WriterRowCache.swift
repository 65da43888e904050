import Synchronization

/// The committed rows of the entities a tenant's writer changed recently, so that the next change of the same
/// entity (a device's next batch of measures) neither reads nor parses its stored document.
///
/// Only the writer uses it, and only `WriteTransaction.perform` updates it: after COMMIT, with the rows every
/// committed change left (a deleted entity leaves none). A failed transaction changes nothing here, as it changed
/// nothing in the database; every write of the `entity` table goes through that one path. When full, a few
/// arbitrary rows are dropped for each new one.
final class WriterRowCache: Sendable {
    private let rows = Mutex<[String: EntityWriter.StoredRow]>([:])
    private let capacity: Int

    /// - Parameter capacity: The most rows kept; zero turns the cache off.
    init(capacity: Int) { self.capacity = max(0, capacity) }

    /// The committed row of `id`, if cached.
    func row(_ id: String) -> EntityWriter.StoredRow? {
        guard capacity > 0 else { return nil }
        return rows.withLock { $0[id] }
    }

    /// Takes in what a committed transaction wrote: a row per changed entity, `nil` for a deleted one.
    func committed(_ written: [String: EntityWriter.StoredRow?]) {
        guard capacity > 0, !written.isEmpty else { return }
        var dropped: [EntityWriter.StoredRow] = []
        rows.withLock { rows in
            for (id, row) in written {
                guard let row else {
                    rows[id] = nil
                    continue
                }
                if rows[id] == nil, rows.count >= capacity {
                    for _ in 0..<min(rows.count, 1 + capacity / 64) {
                        if let (key, old) = rows.first {
                            dropped.append(old)
                            rows[key] = nil
                        }
                    }
                }
                rows[id] = row
            }
        }
        dropped.removeAll()  // entities are freed here, outside the lock
    }
}
