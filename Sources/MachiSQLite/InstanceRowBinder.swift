import GRDB
import GRDBSQLite

/// Binds attribute instance rows straight to a prepared INSERT with SQLite's C API and runs it.
///
/// The temporal writer's hot path: GRDB's `StatementArguments` box every value (7 per instance), which cost more
/// than SQLite's own work on a batch of measures. Hand-written because GRDB has no unboxed bulk binding.
struct InstanceRowBinder {
    let statement: Statement
    let db: Database

    /// SQLite copies bound text at once (`SQLITE_TRANSIENT`): the Swift strings need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds the rows (7 parameters each, in the INSERT's column order) and steps the statement once.
    /// - Throws: `DatabaseError` with SQLite's code and message if a bind or the step fails.
    func execute(_ rows: ArraySlice<TemporalWriter.InstanceRow>) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        var index: Int32 = 1
        for row in rows {
            try check(sqlite3_bind_int64(handle, index, row.entity))
            try check(sqlite3_bind_int64(handle, index + 1, row.name))
            if let datasetId = row.datasetId {
                try check(sqlite3_bind_text(handle, index + 2, datasetId, -1, Self.transient))
            } else {
                try check(sqlite3_bind_null(handle, index + 2))
            }
            if let observedAt = row.observedAt {
                try check(sqlite3_bind_double(handle, index + 3, observedAt))
            } else {
                try check(sqlite3_bind_null(handle, index + 3))
            }
            try check(sqlite3_bind_double(handle, index + 4, row.time))
            try check(sqlite3_bind_double(handle, index + 5, row.time))
            try check(sqlite3_bind_text(handle, index + 6, row.document, -1, Self.transient))
            index += 7
        }
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        if code != SQLITE_DONE { try check(code) }
    }

    private func check(_ code: Int32) throws {
        guard code != SQLITE_OK && code != SQLITE_DONE else { return }
        throw DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
            sql: statement.sql
        )
    }
}
