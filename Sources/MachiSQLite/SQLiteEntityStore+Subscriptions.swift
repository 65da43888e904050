public import Foundation
import GRDB
public import MachiCore
public import MachiStore
import OrderedCollections

/// Subscriptions and their outbox live in each tenant's own file, beside its entities.
extension SQLiteEntityStore: SubscriptionStore {
    public func createSubscription(_ record: SubscriptionRecord, tenant: String, origin: AuditContext) async throws {
        let database = try await requireDatabase(tenant)
        let doc = JSONWriter.string(of: record.document)
        let status = JSONWriter.string(of: SubscriptionStatusCodec.encode(record.status))
        let created = try await write(database) { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO subscription (id, doc, status) VALUES (?, ?, ?)",
                arguments: [record.id, doc, status]
            )
            guard db.changesCount > 0 else { return false }
            try self.audit(origin.event(.subscriptionCreate, target: record.id, tenant: tenant), in: db)
            return true
        }
        guard created else { throw NGSIError.alreadyExists(record.id) }
    }

    public func subscription(id: String, tenant: String) async throws -> SubscriptionRecord? {
        guard let database = try await tenants.database(for: tenant, create: false) else { return nil }
        let row = try await read(database) { db in
            try Row.fetchOne(db, sql: "SELECT id, doc, status FROM subscription WHERE id = ?", arguments: [id])
                .map { ($0["id"] as String, $0["doc"] as String, $0["status"] as String) }
        }
        return try row.map(Self.record)
    }

    public func subscriptions(
        tenant: String,
        limit: Int,
        offset: Int
    ) async throws -> (records: [SubscriptionRecord], total: Int) {
        guard let database = try await tenants.database(for: tenant, create: false) else { return ([], 0) }
        let (rows, total) = try await read(database) { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT id, doc, status FROM subscription ORDER BY rowid LIMIT ? OFFSET ?",
                arguments: [max(0, limit), max(0, offset)]
            ).map { ($0["id"] as String, $0["doc"] as String, $0["status"] as String) }
            return (rows, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM subscription") ?? 0)
        }
        return (try rows.map(Self.record), total)
    }

    public func allSubscriptions(tenant: String) async throws -> [SubscriptionRecord] {
        try await subscriptions(tenant: tenant, limit: Int.max, offset: 0).records
    }

    public func updateSubscription(
        id: String,
        document: JSON,
        tenant: String,
        origin: AuditContext
    ) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: false) else { return false }
        let doc = JSONWriter.string(of: document)
        return try await write(database) { db in
            try db.execute(sql: "UPDATE subscription SET doc = ? WHERE id = ?", arguments: [doc, id])
            guard db.changesCount > 0 else { return false }
            try self.audit(origin.event(.subscriptionUpdate, target: id, tenant: tenant), in: db)
            return true
        }
    }

    public func deleteSubscription(id: String, tenant: String, origin: AuditContext) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: false) else { return false }
        return try await write(database) { db in
            try db.execute(sql: "DELETE FROM subscription WHERE id = ?", arguments: [id])
            let deleted = db.changesCount > 0
            try db.execute(sql: "DELETE FROM outbox WHERE subscription_id = ?", arguments: [id])
            if deleted { try self.audit(origin.event(.subscriptionDelete, target: id, tenant: tenant), in: db) }
            return deleted
        }
    }

    public func tenantsWithSubscriptions() async throws -> [String] {
        var result: [String] = []
        for tenant in try tenants.knownTenants() {
            guard let database = try await tenants.database(for: tenant, create: false) else { continue }
            let any = try await read(database) { db in
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM subscription)") ?? false
            }
            if any { result.append(tenant) }
        }
        return result
    }

    public func enqueue(_ entries: [OutboxEntry], tenant: String) async throws {
        guard !entries.isEmpty else { return }
        let database = try await requireDatabase(tenant)
        try await write(database) { db in try OutboxWriter(db: db).insert(entries) }
    }

    public func dueOutboxEntries(
        tenant: String,
        by time: Date,
        excluding excluded: Set<Int64>,
        skipping skipped: Set<String>,
        limit: Int
    ) async throws -> [OutboxEntry] {
        guard let database = try await tenants.database(for: tenant, create: false) else { return [] }
        let skippedList = Array(skipped)
        let rows = try await read(database) { db in
            let skipping =
                skippedList.isEmpty
                ? "" : " AND subscription_id NOT IN (\(SQLFragment.placeholders(skippedList.count)))"
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, subscription_id, reason, payload, attempts, due_at FROM outbox
                    WHERE due_at <= ?\(skipping) ORDER BY due_at, seq LIMIT ?
                    """,
                arguments: StatementArguments(
                    [time.timeIntervalSince1970.databaseValue] + skippedList.map(\.databaseValue)
                        + [(limit + excluded.count).databaseValue]
                )
            ).map { row -> (Int64, String, String, String, Int, Double) in
                (row[0], row[1], row[2], row[3], row[4], row[5])
            }
        }
        var entries: [OutboxEntry] = []
        for (sequence, subscriptionId, reason, payload, attempts, dueAt) in rows where !excluded.contains(sequence) {
            let json: JSON
            do {
                json = try JSONParser.parse(payload, limits: StoredEntityCodec.readLimits)
            } catch {
                throw StoreError(.corrupt, "a stored notification cannot be read", underlying: error)
            }
            entries.append(
                OutboxEntry(
                    sequence: sequence,
                    subscriptionId: subscriptionId,
                    reason: reason,
                    payload: json,
                    attempts: attempts,
                    dueAt: Date(timeIntervalSince1970: dueAt)
                )
            )
            if entries.count == limit { break }
        }
        return entries
    }

    public func nextOutboxDue(tenant: String) async throws -> Date? {
        guard let database = try await tenants.database(for: tenant, create: false) else { return nil }
        return try await read(database) { db in
            try Double.fetchOne(db, sql: "SELECT MIN(due_at) FROM outbox").map(Date.init(timeIntervalSince1970:))
        }
    }

    public func recordDeliveries(
        _ outcomes: [(sequence: Int64, outcome: DeliveryOutcome)],
        status: [String: SubscriptionStatus],
        tenant: String
    ) async throws {
        guard let database = try await tenants.database(for: tenant, create: false) else { return }
        let statusTexts = status.mapValues { JSONWriter.string(of: SubscriptionStatusCodec.encode($0)) }
        try await write(database) { db in
            for (sequence, outcome) in outcomes {
                switch outcome {
                case .done:
                    try db.cachedStatement(sql: "DELETE FROM outbox WHERE seq = ?").execute(arguments: [sequence])
                case .retry(let time):
                    try db.cachedStatement(sql: "UPDATE outbox SET attempts = attempts + 1, due_at = ? WHERE seq = ?")
                        .execute(arguments: [time.timeIntervalSince1970, sequence])
                }
            }
            for (id, text) in statusTexts {
                try db.cachedStatement(sql: "UPDATE subscription SET status = ? WHERE id = ?")
                    .execute(arguments: [text, id])
            }
        }
    }

    private static func record(_ row: (String, String, String)) throws -> SubscriptionRecord {
        do {
            let document = try JSONParser.parse(row.1, limits: StoredEntityCodec.readLimits)
            let status = SubscriptionStatusCodec.decode(try JSONParser.parse(row.2))
            return SubscriptionRecord(id: row.0, document: document, status: status)
        } catch {
            throw StoreError(.corrupt, "a stored subscription cannot be read", underlying: error)
        }
    }

    private func requireDatabase(_ tenant: String) async throws -> TenantDatabase {
        guard let database = try await tenants.database(for: tenant, create: true) else {
            throw StoreError(.internalError, "the tenant database is missing")
        }
        return database
    }
}

/// Inserts outbox rows inside the caller's transaction.
struct OutboxWriter {
    let db: Database

    func insert(_ entries: [OutboxEntry]) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO outbox (subscription_id, reason, payload, attempts, due_at) VALUES (?, ?, ?, ?, ?)"
        )
        for entry in entries {
            try statement.execute(arguments: [
                entry.subscriptionId, entry.reason, JSONWriter.string(of: entry.payload), entry.attempts,
                entry.dueAt.timeIntervalSince1970,
            ])
        }
    }
}

/// `SubscriptionStatus` as stored JSON.
enum SubscriptionStatusCodec {
    static func encode(_ status: SubscriptionStatus) -> JSON {
        var object: JSONObject = [
            "timesSent": .number(Double(status.timesSent)), "timesFailed": .number(Double(status.timesFailed)),
            "lastFailed": .bool(status.lastFailed),
        ]
        if let time = status.lastNotification { object["lastNotification"] = .string(time) }
        if let time = status.lastSuccess { object["lastSuccess"] = .string(time) }
        if let time = status.lastFailure { object["lastFailure"] = .string(time) }
        return .object(object)
    }

    static func decode(_ json: JSON) -> SubscriptionStatus {
        var status = SubscriptionStatus()
        status.timesSent = Int(json["timesSent"]?.numberValue ?? 0)
        status.timesFailed = Int(json["timesFailed"]?.numberValue ?? 0)
        status.lastFailed = json["lastFailed"]?.boolValue ?? false
        status.lastNotification = json["lastNotification"]?.stringValue
        status.lastSuccess = json["lastSuccess"]?.stringValue
        status.lastFailure = json["lastFailure"]?.stringValue
        return status
    }
}
