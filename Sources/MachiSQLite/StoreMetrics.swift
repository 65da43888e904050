import GRDB
import MachiCore
import MachiStore
import Metrics
import Synchronization

/// The store's metric handles, created once per store (no metrics system is bootstrapped here).
final class StoreMetrics: Sendable {
    /// `machi_store_write_duration_seconds`: one write transaction, from BEGIN to COMMIT.
    let writeDuration = Timer(label: "machi_store_write_duration_seconds", preferredDisplayUnit: .seconds)
    /// `machi_store_transactions_total{outcome="committed"}`.
    let transactionsCommitted = Counter(label: "machi_store_transactions_total", dimensions: [("outcome", "committed")])
    /// `machi_store_transactions_total{outcome="failed"}`.
    let transactionsFailed = Counter(label: "machi_store_transactions_total", dimensions: [("outcome", "failed")])
    /// Committed transactions, readable by tests.
    let committed = Atomic<Int>(0)
}

extension WriteTransaction {
    /// Runs `batch` in one IMMEDIATE transaction on the writer's own queue and resumes after COMMIT, once `cache`
    /// holds the committed entities and `checkpointer` knows of the commit.
    ///
    /// Not tied to the calling task's cancellation: the batch carries other callers' writes.
    static func perform(
        _ batch: [WriteRequest],
        tenant: String,
        writer: any DatabaseWriter,
        cache: EntityCache,
        checkpointer: WALCheckpointer?,
        rows: WriterRowCache?,
        observer: (observer: any ChangeObserver, tenant: String)?,
        recordsTemporalEvolution: Bool,
        recordsAudit: Bool,
        faults: SQLiteStoreFaults,
        metrics: StoreMetrics
    ) async throws -> [[ChangeResult]] {
        try await withCheckedThrowingContinuation { continuation in
            writer.asyncWriteWithoutTransaction { db in
                let start = ContinuousClock.now
                do {
                    var results: [[ChangeResult]] = []
                    var wroteOutbox = false
                    var writtenRows: [String: EntityWriter.StoredRow?] = [:]
                    // Without savepoints first; again with one per change if a change failed after it wrote.
                    for isolatesChanges in [false, true] {
                        var needsIsolation = false
                        try db.inTransaction(.immediate) {
                            var transaction = WriteTransaction(db: db, tenant: tenant, faults: faults)
                            transaction.committedRows = rows
                            transaction.observer = observer
                            transaction.recordsTemporalEvolution = recordsTemporalEvolution
                            transaction.recordsAudit = recordsAudit
                            transaction.isolatesChanges = isolatesChanges
                            do {
                                results = try transaction.run(batch)
                            } catch is WriteTransaction.ChangeNeedsIsolation {
                                needsIsolation = true
                                return .rollback
                            }
                            wroteOutbox = transaction.wroteOutbox
                            writtenRows = transaction.writtenRows
                            return .commit
                        }
                        guard needsIsolation else { break }
                        // What the observers saw in the rolled-back run did not happen.
                        if let observer { observer.observer.transactionDidFail(tenant: observer.tenant) }
                    }
                    metrics.writeDuration.record(duration: ContinuousClock.now - start)
                    metrics.transactionsCommitted.increment()
                    metrics.committed.add(1, ordering: .relaxed)
                    checkpointer?.committed()
                    rows?.committed(writtenRows)
                    cache.committed(
                        zip(batch.lazy.flatMap(\.changes), results.joined()).compactMap { change, result in
                            (try? result.get()).map { (id: change.id, after: $0.after) }
                        }
                    )
                    if let observer {
                        if wroteOutbox { observer.observer.didCommitOutboxEntries(tenant: observer.tenant) }
                        observer.observer.transactionDidCommit(tenant: observer.tenant)
                    }
                    continuation.resume(returning: results)
                } catch {
                    metrics.transactionsFailed.increment()
                    if let observer { observer.observer.transactionDidFail(tenant: observer.tenant) }
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

extension Timer {
    /// Records a `Duration` with nanosecond precision.
    func record(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
