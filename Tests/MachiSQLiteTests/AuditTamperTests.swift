import Foundation
import GRDB
import MachiSQLite
import MachiStore
import Testing

/// Tampering with `audit_record` directly in the SQLite file (as someone with access to the file could, after
/// dropping the append-only triggers) is found by verification, at the tampered record.
struct AuditTamperTests {
    enum Tampering: String, CaseIterable, Sendable {
        case editField, editAndRehash, deleteRecord, swapRecords, none
    }

    /// Writes five records to the default tenant's file, closes the store, tampers with record 3, verifies.
    static func verifyAfter(_ tampering: Tampering) async throws -> AuditVerification {
        try await withDirectoryStore { store, directory in
            for number in 1...5 {
                _ = try await store.apply([Sample.create(Sample.building(number))], tenant: "")
            }
            try store.close()
            let file = directory.url.appendingPathComponent("default.sqlite")
            let queue = try DatabaseQueue(path: file.path)
            try await queue.write { db in
                try db.execute(sql: "DROP TRIGGER audit_record_no_update; DROP TRIGGER audit_record_no_delete")
                switch tampering {
                case .editField:
                    try db.execute(sql: "UPDATE audit_record SET target = 'urn:ngsi-ld:Building:99' WHERE seq = 3")
                case .editAndRehash:
                    // A forger who knows the canonical form recomputes the edited record's own hash.
                    let row = try #require(
                        try Row.fetchOne(db, sql: "SELECT * FROM audit_record WHERE seq = 3")
                    )
                    var record = AuditRecord(
                        sequence: 3,
                        timeMilliseconds: row["time"],
                        actor: AuditActor(subject: "urn:machi:person:mallory", kind: "person"),
                        action: row["action"],
                        target: row["target"],
                        tenant: row["tenant"],
                        requestId: row["request_id"],
                        purpose: row["purpose"],
                        dataOwner: row["data_owner"],
                        detail: row["detail"],
                        previousHash: row["prev_hash"],
                        hash: ""
                    )
                    record.hash = AuditChain.hash(of: record)
                    try db.execute(
                        sql:
                            "UPDATE audit_record SET actor = ?, actor_kind = ?, client_id = NULL, hash = ? WHERE seq = 3",
                        arguments: [record.actor.subject, record.actor.kind, record.hash]
                    )
                case .deleteRecord:
                    try db.execute(sql: "DELETE FROM audit_record WHERE seq = 3")
                case .swapRecords:
                    try db.execute(sql: "UPDATE audit_record SET seq = -3 WHERE seq = 3")
                    try db.execute(sql: "UPDATE audit_record SET seq = 3 WHERE seq = 4")
                    try db.execute(sql: "UPDATE audit_record SET seq = 4 WHERE seq = -3")
                case .none:
                    break
                }
            }
            try queue.close()
            return try #require(try SQLiteAuditFiles.verify(file: file))
        }
    }

    @Test func anUntouchedChainIsIntact() async throws {
        let verification = try await Self.verifyAfter(.none)
        #expect(verification.isIntact)
        #expect(verification.recordsChecked == 5)
        #expect(verification.headSequence == 5)
    }

    @Test func anEditedRecordIsAHashMismatchAtThatRecord() async throws {
        let verification = try await Self.verifyAfter(.editField)
        #expect(verification.broken == AuditChainBreak(.hashMismatch, sequence: 3, ""))
        #expect(verification.recordsChecked == 2)
    }

    @Test func aRehashedForgeryBreaksTheNextLink() async throws {
        let verification = try await Self.verifyAfter(.editAndRehash)
        #expect(verification.broken == AuditChainBreak(.previousMismatch, sequence: 4, ""))
    }

    @Test func aDeletedRecordIsAGapAtThatRecord() async throws {
        let verification = try await Self.verifyAfter(.deleteRecord)
        #expect(verification.broken == AuditChainBreak(.gap, sequence: 3, ""))
        #expect(verification.recordsChecked == 2)
    }

    @Test func reorderedRecordsBreakAtTheFirstMovedOne() async throws {
        let verification = try await Self.verifyAfter(.swapRecords)
        #expect(verification.broken?.sequence == 3)
        #expect(verification.broken?.code == .previousMismatch)
    }
}
