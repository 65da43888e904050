import Foundation
import GRDB
public import MachiStore
import Synchronization

/// The `IdentityStore` on its own SQLite file, `identity.sqlite` in the data directory (mode 0600: it holds
/// password hashes and signing keys), or in memory.
///
/// ```swift
/// let identity = try SQLiteIdentityStore(storage: .directory(URL(filePath: "/var/lib/machi")))
/// ```
public final class SQLiteIdentityStore: IdentityStore {
    /// The file name inside the data directory.
    public static let fileName = "identity.sqlite"

    let writer: any DatabaseWriter
    let revocationCount = Atomic<Int>(0)

    public var revocations: Int { revocationCount.load(ordering: .acquiring) }

    /// Counts a revoking write (after it committed).
    func revoked() { revocationCount.add(1, ordering: .releasing) }

    /// Opens (creating and migrating if needed) the identity database.
    /// - Throws: `StoreError`.
    public init(storage: SQLiteStoreConfiguration.Storage) throws {
        var config = Configuration()
        config.label = "machi.identity"
        config.busyMode = .timeout(5)
        do {
            switch storage.base {
            case .inMemory:
                writer = try DatabaseQueue(configuration: config)
            case .directory(let directory):
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let path = directory.appendingPathComponent(Self.fileName).path
                if !FileManager.default.fileExists(atPath: path) {
                    _ = FileManager.default.createFile(
                        atPath: path,
                        contents: nil,
                        attributes: [.posixPermissions: 0o600]
                    )
                }
                writer = try DatabasePool(path: path, configuration: config)
            }
            try IdentitySchema.migrator.migrate(writer)
        } catch {
            throw StoreError(mapping: error, "cannot open the identity database")
        }
    }

    /// Closes the database.
    public func close() throws {
        do { try writer.close() } catch { throw StoreError(mapping: error, "cannot close the identity database") }
    }

    func run<T: Sendable>(_ message: String, _ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(work)
        } catch {
            throw StoreError(mapping: error, message)
        }
    }

    func read<T: Sendable>(_ message: String, _ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(work)
        } catch {
            throw StoreError(mapping: error, message)
        }
    }

    // MARK: users

    public func insertUser(_ user: UserRecord, audit: [AuditEvent]) async throws -> Bool {
        try await run("cannot store the user") { db in
            let exists =
                try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM user WHERE subject = ? OR username = ?)",
                    arguments: [user.subject, user.username]
                ) ?? false
            if exists { return false }
            try db.execute(
                sql: """
                    INSERT INTO user (subject, username, display_name, password_hash, roles, disabled, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    user.subject, user.username, user.displayName, user.passwordHash,
                    IdentityColumns.encode(user.roles),
                    user.disabled, user.createdAt.timeIntervalSince1970,
                ]
            )
            try Self.record(audit, in: db)
            return true
        }
    }

    public func updateUser(_ user: UserRecord, audit: [AuditEvent]) async throws -> Bool {
        try await run("cannot update the user") { db in
            try db.execute(
                sql: """
                    UPDATE user SET username = ?, display_name = ?, password_hash = ?, roles = ?, disabled = ?
                    WHERE subject = ?
                    """,
                arguments: [
                    user.username, user.displayName, user.passwordHash, IdentityColumns.encode(user.roles),
                    user.disabled, user.subject,
                ]
            )
            guard db.changesCount > 0 else { return false }
            try Self.record(audit, in: db)
            return true
        }
    }

    public func user(subject: String) async throws -> UserRecord? {
        try await read("cannot read the user") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM user WHERE subject = ?", arguments: [subject])
                .map(IdentityColumns.user)
        }
    }

    public func user(username: String) async throws -> UserRecord? {
        try await read("cannot read the user") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM user WHERE username = ?", arguments: [username])
                .map(IdentityColumns.user)
        }
    }

    public func users() async throws -> [UserRecord] {
        try await read("cannot read the users") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM user ORDER BY username").map(IdentityColumns.user)
        }
    }

    // MARK: clients

    public func insertClient(_ client: ClientRecord, audit: [AuditEvent]) async throws -> Bool {
        try await run("cannot store the client") { db in
            let exists =
                try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM client WHERE client_id = ?)",
                    arguments: [client.clientId]
                ) ?? false
            if exists { return false }
            try db.execute(
                sql: """
                    INSERT INTO client (client_id, name, secret_hash, redirect_uris, scopes, grant_types, tenant, roles,
                        created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    client.clientId, client.name, client.secretHash, IdentityColumns.encode(client.redirectURIs),
                    IdentityColumns.encode(client.scopes.sorted()), IdentityColumns.encode(client.grantTypes.sorted()),
                    client.tenant, IdentityColumns.encode(client.roles), client.createdAt.timeIntervalSince1970,
                ]
            )
            try Self.record(audit, in: db)
            return true
        }
    }

    public func client(id: String) async throws -> ClientRecord? {
        try await read("cannot read the client") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM client WHERE client_id = ?", arguments: [id])
                .map(IdentityColumns.client)
        }
    }

    public func clients() async throws -> [ClientRecord] {
        try await read("cannot read the clients") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM client ORDER BY client_id").map(IdentityColumns.client)
        }
    }

    public func deleteClient(id: String, audit: [AuditEvent]) async throws -> Bool {
        defer { revoked() }
        return try await run("cannot delete the client") { db in
            try db.execute(sql: "DELETE FROM client WHERE client_id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            try Self.record(audit, in: db)
            return true
        }
    }

    // MARK: external identifiers

    public func linkExternalID(
        scheme: String,
        pseudonym: String,
        subject: String,
        audit: [AuditEvent]
    ) async throws -> Bool {
        try await run("cannot link the external identifier") { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO external_id (scheme, pseudonym, subject) VALUES (?, ?, ?)",
                arguments: [scheme, pseudonym, subject]
            )
            guard db.changesCount > 0 else { return false }
            try Self.record(audit, in: db)
            return true
        }
    }

    public func subject(scheme: String, pseudonym: String) async throws -> String? {
        try await read("cannot read the external identifier") { db in
            try String.fetchOne(
                db,
                sql: "SELECT subject FROM external_id WHERE scheme = ? AND pseudonym = ?",
                arguments: [scheme, pseudonym]
            )
        }
    }

    public func externalIDs(subject: String) async throws -> [(scheme: String, pseudonym: String)] {
        let rows = try await read("cannot read the external identifiers") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT scheme, pseudonym FROM external_id WHERE subject = ? ORDER BY scheme, pseudonym",
                arguments: [subject]
            ).map { [$0["scheme"] as String, $0["pseudonym"] as String] }
        }
        return rows.map { (scheme: $0[0], pseudonym: $0[1]) }
    }
}
