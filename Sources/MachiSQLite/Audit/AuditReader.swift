import Foundation
import GRDB
import MachiStore

/// Reads one database's audit chain: filtered pages, and verification of the whole chain.
struct AuditReader {
    let db: Database

    /// The records matching `query`, newest first.
    func records(matching query: AuditQuery) throws -> [AuditRecord] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        func add(_ condition: String, _ value: (any DatabaseValueConvertible)?) {
            guard let value else { return }
            conditions.append(condition)
            arguments += [value]
        }
        add("actor = ?", query.actor)
        add("action = ?", query.action)
        add("target = ?", query.target)
        add("data_owner = ?", query.dataOwner)
        add("tenant = ?", query.tenant)
        add("time >= ?", query.from.map(Self.milliseconds))
        add("time < ?", query.to.map(Self.milliseconds))
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(0, query.limit), max(0, query.offset)]
        return try Row.fetchAll(
            db,
            sql: "SELECT \(AuditTable.columns) FROM audit_record\(whereClause) ORDER BY seq DESC LIMIT ? OFFSET ?",
            arguments: arguments
        ).map(AuditTable.record)
    }

    /// Checks every record in sequence order, stopping at the first break.
    func verify() throws -> AuditVerification {
        var verifier = AuditChainVerifier()
        let rows = try Row.fetchCursor(db, sql: "SELECT \(AuditTable.columns) FROM audit_record ORDER BY seq")
        while let row = try rows.next() {
            if verifier.check(AuditTable.record(row)) != nil { break }
        }
        return verifier.verification
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}
