import Foundation
import GRDB
import MachiCore
import MachiStore

/// Test hooks that make writes fail at chosen points. Never set in production.
package struct SQLiteStoreFaults: Sendable {
    /// Called inside a change's savepoint after the entity and all its index rows are written; throwing an
    /// `NGSIError` rejects the change (its savepoint rolls back), any other error fails the whole transaction.
    package var afterWrite: (@Sendable (_ entityId: String) throws -> Void)?

    /// Creates hooks.
    package init(afterWrite: (@Sendable (_ entityId: String) throws -> Void)? = nil) {
        self.afterWrite = afterWrite
    }
}

/// One `apply` call, as the group committer queues it: its changes and who made them.
struct WriteRequest: Sendable {
    var changes: [EntityChange]
    var origin: AuditContext
}

/// Runs a batch of `apply` requests inside one write transaction.
///
/// A change that fails must leave nothing behind while the others commit. Most fail, if at all, when their steps
/// run, before they write anything; a change that fails after writing (a constraint, a test fault) is rare. So a
/// batch first runs without savepoints (`isolatesChanges` false): a change failing after it wrote throws
/// `ChangeNeedsIsolation`, the caller rolls the transaction back and runs the batch again with every change's writes
/// in a savepoint of its own. A savepoint per change costs two statements and SQLite's copy of every page the change
/// touches into its statement journal.
struct WriteTransaction {
    typealias ChangeResult = Result<EntityChangeResult, NGSIError>

    /// Thrown, when changes are not isolated, by a change that failed after it wrote: the transaction must be rolled
    /// back and run again with `isolatesChanges`.
    struct ChangeNeedsIsolation: Error {}

    let db: Database
    let faults: SQLiteStoreFaults
    /// The tenant the database belongs to (recorded in audit records).
    let tenant: String
    /// Whether every change writes in a savepoint of its own, so that one failing after it wrote is rolled back
    /// alone; without it such a change throws `ChangeNeedsIsolation`.
    var isolatesChanges = false
    /// Whether committed changes append audit records.
    var recordsAudit = true
    /// Asked for the outbox entries of every committed change.
    var observer: (observer: any ChangeObserver, tenant: String)?
    /// Whether any outbox entry was written.
    private(set) var wroteOutbox = false
    /// Whether committed changes record their attribute instances (the temporal evolution).
    var recordsTemporalEvolution = false
    /// The temporal entity rows written so far in this transaction.
    private var temporalRows = TemporalWriter.RowCache()
    /// The attribute instances recorded so far, inserted together before the transaction commits.
    private var pendingInstances: [TemporalWriter.InstanceRow] = []
    /// The committed rows of recently changed entities, read instead of the stored documents.
    var committedRows: WriterRowCache?
    /// The rows this transaction's committed changes left, by entity id (`nil`: deleted): read before
    /// `committedRows` by later changes of the same entity, and handed to it after COMMIT.
    private(set) var writtenRows: [String: EntityWriter.StoredRow?] = [:]

    init(db: Database, tenant: String, faults: SQLiteStoreFaults) {
        self.db = db
        self.tenant = tenant
        self.faults = faults
    }

    /// Runs every change of every request, in order, and appends one audit record per committed change.
    /// - Throws: A database error that must fail the whole transaction (I/O, disk full, corruption).
    mutating func run(_ batch: [WriteRequest]) throws -> [[ChangeResult]] {
        let writer = EntityWriter(db: db, terms: TermTable(db))
        var counters = TypeCounters()
        let now = Date()
        var results: [[ChangeResult]] = []
        var auditEvents: [AuditEvent] = []
        for request in batch {
            var requestResults: [ChangeResult] = []
            for change in request.changes {
                let (result, states) = try run(change, writer: writer, counters: &counters)
                if case .success(let done) = result {
                    // One recorded change per step: the temporal instances and notifications of each.
                    try record(states, of: change.id, writer: writer, at: now)
                    if recordsAudit {
                        auditEvents.append(request.origin.event(Self.action(done), target: change.id, tenant: tenant))
                    }
                }
                requestResults.append(result)
            }
            results.append(requestResults)
        }
        try TemporalWriter(db: db, terms: writer.terms).insert(pendingInstances)
        pendingInstances = []
        try counters.apply(db)
        if !auditEvents.isEmpty {
            var audit = AuditAppender(db: db, at: now)
            try audit.append(auditEvents)
        }
        return results
    }

    /// The audit action of a committed change.
    static func action(_ change: EntityChangeResult) -> AuditAction {
        if change.before == nil { return .entityCreate }
        if change.after == nil { return .entityDelete }
        return .entityUpdate
    }

    /// Records the steps of one committed change (`states`: the entity before the first step and after each):
    /// their attribute instances and the outbox entries they make due.
    private mutating func record(_ states: [Entity?], of id: String, writer: EntityWriter, at now: Date) throws {
        if recordsTemporalEvolution {
            let temporal = TemporalWriter(db: db, terms: writer.terms)
            let hint = writtenRows[id]??.temporalRowid
            for index in states.indices.dropLast() {
                try temporal.record(
                    before: states[index],
                    after: states[index + 1],
                    at: now,
                    rows: &temporalRows,
                    hint: hint,
                    pending: &pendingInstances
                )
            }
            // The entity's next change, in this transaction or a later one, refreshes the row by its rowid.
            if let temporalRowid = temporalRows[id]?.rowid { writtenRows[id]??.temporalRowid = temporalRowid }
        }
        if let observer {
            let entries = observer.observer.outboxEntries(forStates: states, tenant: observer.tenant, at: now)
            if !entries.isEmpty {
                try OutboxWriter(db: db).insert(entries)
                wroteOutbox = true
            }
        }
    }

    /// The entity's row as this transaction sees it: written by an earlier change of it, committed and cached, or
    /// read from the database.
    private func currentRow(_ id: String, writer: EntityWriter) throws -> EntityWriter.StoredRow? {
        if let written = writtenRows[id] { return written }
        if let cached = committedRows?.row(id) { return cached }
        return try writer.row(id: id)
    }

    /// Runs one change: its steps, then its writes (in a savepoint of their own when `isolatesChanges`).
    /// - Returns: its result and, on success, the entity before and after each step.
    private mutating func run(
        _ change: EntityChange,
        writer: EntityWriter,
        counters: inout TypeCounters
    ) throws -> (ChangeResult, [Entity?]) {
        let before: EntityWriter.StoredRow?
        do {
            before = try currentRow(change.id, writer: writer)
        } catch is StoredEntityCodec.Failure {
            return (.failure(NGSIError(.internalError, "the stored entity \(change.id) cannot be read")), [])
        }
        // The steps write nothing: a change they refuse needs no rollback.
        let states: [Entity?]
        switch Self.evaluate(change, current: before?.entity) {
        case .success(let steps): states = [before?.entity] + steps
        case .failure(let error): return (.failure(error), [])
        }
        let after = states.last ?? nil
        let newRow: EntityWriter.StoredRow?
        if isolatesChanges {
            var outcome: Result<EntityWriter.StoredRow?, NGSIError> = .failure(NGSIError(.internalError, "not written"))
            try db.inSavepoint {
                outcome = try write(change.id, before: before, after: after, writer: writer)
                if case .failure = outcome { return .rollback }
                return .commit
            }
            switch outcome {
            case .success(let row): newRow = row
            case .failure(let error):
                writer.terms.forgetUncommitted()
                return (.failure(error), [])
            }
        } else {
            switch try write(change.id, before: before, after: after, writer: writer) {
            case .success(let row): newRow = row
            case .failure: throw ChangeNeedsIsolation()
            }
        }
        counters.add(from: before?.indexRows, to: newRow?.indexRows)
        writtenRows[change.id] = .some(newRow)
        return (.success(EntityChangeResult(before: before?.entity, after: after)), states)
    }

    /// Writes a change's entity and index rows.
    /// - Returns: the new row, or the error that rejects the change (its writes must then be undone).
    /// - Throws: A database error that must fail the whole transaction.
    private func write(
        _ id: String,
        before: EntityWriter.StoredRow?,
        after: Entity?,
        writer: EntityWriter
    ) throws -> Result<EntityWriter.StoredRow?, NGSIError> {
        do {
            let row = try writer.write(before: before, after: after)
            try faults.afterWrite?(id)
            return .success(row)
        } catch let error as NGSIError {
            return .failure(error)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // Only this change's rows violate the schema; the transaction itself is sound.
            return .failure(NGSIError(.internalError, "the entity \(id) cannot be stored"))
        }
    }

    /// Runs the change's steps on `current`, each on the previous result, and checks what they return.
    /// - Returns: the entity after each step.
    static func evaluate(_ change: EntityChange, current: Entity?) -> Result<[Entity?], NGSIError> {
        var states: [Entity?] = []
        var state = current
        for step in change.steps {
            let before = state
            do {
                state = try step(before)
            } catch let error as NGSIError {
                return .failure(error)
            } catch {
                return .failure(NGSIError(.internalError, "the change of \(change.id) failed"))
            }
            if let state, state.id != change.id {
                return .failure(NGSIError(.internalError, "the change of \(change.id) returned another entity id"))
            }
            if state == nil && before == nil {
                return .failure(.notFound("entity \(change.id) not found"))
            }
            states.append(state)
        }
        return .success(states)
    }

    /// What the changes would do in a tenant that has no entities yet, without touching storage: lets `apply`
    /// avoid creating a tenant when every change fails.
    static func dryRun(_ changes: [EntityChange]) -> [ChangeResult] {
        var entities: [String: Entity] = [:]
        return changes.map { change in
            let current = entities[change.id]
            return evaluate(change, current: current).map { states in
                let after = states.last ?? nil
                entities[change.id] = after
                return EntityChangeResult(before: current, after: after)
            }
        }
    }
}
