import Foundation
import GRDB
import MachiStore

/// Appends audit records inside the caller's transaction, each linked to the one before.
///
/// The chain's head (last sequence and hash) is read from the database at the first append of each transaction,
/// never cached across transactions: it is one primary-key lookup of a page the previous commit has just written,
/// and it keeps the chain right after a rolled-back transaction or when another connection (another process, the
/// system database's other users) appended meanwhile.
struct AuditAppender {
    let db: Database
    private var head: (sequence: Int64, hash: String)??
    private let timeMilliseconds: Int64

    init(db: Database, at time: Date = Date()) {
        self.db = db
        self.timeMilliseconds = Int64((time.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Appends one record per event, in order. Call it outside any savepoint that may still roll back.
    mutating func append(_ events: some Sequence<AuditEvent>) throws {
        var current = try currentHead()
        let statement = try db.cachedStatement(sql: AuditTable.insertSQL)
        for event in events {
            let record = AuditChain.link(event, after: current, timeMilliseconds: timeMilliseconds)
            try statement.execute(arguments: AuditTable.arguments(record))
            current = (record.sequence, record.hash)
        }
        head = .some(current)
    }

    mutating func append(_ event: AuditEvent) throws {
        try append(CollectionOfOne(event))
    }

    private func currentHead() throws -> (sequence: Int64, hash: String)? {
        if let head { return head }
        let statement = try db.cachedStatement(sql: "SELECT seq, hash FROM audit_record ORDER BY seq DESC LIMIT 1")
        return try Row.fetchOne(statement).map { ($0[0], $0[1]) }
    }
}
