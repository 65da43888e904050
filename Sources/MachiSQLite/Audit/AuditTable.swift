import GRDB
import MachiStore

/// The `audit_record` table: one row per `AuditRecord`, `seq` its sequence (the rowid), `time` in milliseconds
/// since 1970, `prev_hash` and `hash` as 64 hex digits. Triggers refuse UPDATE and DELETE, so the application
/// cannot change a record by mistake; someone editing the file can drop them, and the hash chain shows it.
///
/// The DDL is idempotent, so a database with a migrator of its own (the system database) can create it too.
enum AuditTable {
    static let createSQL = """
        CREATE TABLE IF NOT EXISTS audit_record (
            seq INTEGER PRIMARY KEY,
            time INTEGER NOT NULL,
            actor TEXT NOT NULL,
            actor_kind TEXT NOT NULL,
            client_id TEXT,
            action TEXT NOT NULL,
            target TEXT,
            tenant TEXT NOT NULL,
            request_id TEXT,
            purpose TEXT,
            data_owner TEXT,
            detail TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS audit_record_owner ON audit_record(data_owner, seq) WHERE data_owner IS NOT NULL;
        CREATE TRIGGER IF NOT EXISTS audit_record_no_update BEFORE UPDATE ON audit_record
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_record_no_delete BEFORE DELETE ON audit_record
        BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
        """

    static let columns =
        "seq, time, actor, actor_kind, client_id, action, target, tenant, request_id, purpose, data_owner, detail, prev_hash, hash"

    static let insertSQL = "INSERT INTO audit_record (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    static func arguments(_ record: AuditRecord) -> StatementArguments {
        [
            record.sequence, record.timeMilliseconds, record.actor.subject, record.actor.kind, record.actor.clientId,
            record.action, record.target, record.tenant, record.requestId, record.purpose, record.dataOwner,
            record.detail, record.previousHash, record.hash,
        ]
    }

    /// The record in a row selected with `columns`, in that order.
    static func record(_ row: Row) -> AuditRecord {
        AuditRecord(
            sequence: row[0],
            timeMilliseconds: row[1],
            actor: AuditActor(subject: row[2], kind: row[3], clientId: row[4]),
            action: row[5],
            target: row[6],
            tenant: row[7],
            requestId: row[8],
            purpose: row[9],
            dataOwner: row[10],
            detail: row[11],
            previousHash: row[12],
            hash: row[13]
        )
    }
}
