import Foundation
import GRDB
import MachiStore
import Synchronization

/// The open tenant databases, opened lazily and cached.
///
/// Opening is safe under concurrency: the first caller for a tenant opens it (outside the lock); callers that
/// arrive meanwhile wait on a continuation and get the same database (or the same error). A failed open leaves
/// no trace, so the next call tries again. Other tenants are never held up by an opening tenant.
final class TenantDirectory: Sendable {
    private enum Slot {
        case opening([CheckedContinuation<TenantDatabase?, any Error>])
        case open(TenantDatabase)
    }

    private struct State {
        var slots: [String: Slot] = [:]
        var closed = false
    }

    private enum Step {
        case ready(TenantDatabase)
        case wait
        case open
        case absent
    }

    private let state = Mutex(State())
    private let configuration: SQLiteStoreConfiguration
    private let makeDatabase: @Sendable (String) throws(StoreError) -> TenantDatabase

    init(
        configuration: SQLiteStoreConfiguration,
        makeDatabase: @escaping @Sendable (String) throws(StoreError) -> TenantDatabase
    ) {
        self.configuration = configuration
        self.makeDatabase = makeDatabase
    }

    /// Whether `tenant` has a database: open here, or a file in the data directory.
    func exists(_ tenant: String) throws(StoreError) -> Bool {
        try state.withLock { state throws(StoreError) in
            guard !state.closed else { throw StoreError(.closed, "the store is closed") }
            if case .open = state.slots[tenant] { return true }
            return fileExists(tenant)
        }
    }

    /// The tenant's database. If it has none yet, creates it when `create` is true, else returns `nil`.
    func database(for tenant: String, create: Bool) async throws(StoreError) -> TenantDatabase? {
        while true {
            let step = try state.withLock { state throws(StoreError) -> Step in
                guard !state.closed else { throw StoreError(.closed, "the store is closed") }
                switch state.slots[tenant] {
                case .open(let database): return .ready(database)
                case .opening: return .wait
                case nil:
                    guard create || fileExists(tenant) else { return .absent }
                    state.slots[tenant] = .opening([])
                    return .open
                }
            }
            switch step {
            case .ready(let database): return database
            case .absent: return nil
            case .open: return try openNow(tenant)
            case .wait:
                // `nil` means the open failed or the slot vanished: look again.
                do {
                    if let database = try await waitForOpen(tenant) { return database }
                } catch {
                    throw StoreError(mapping: error, "cannot open the tenant database")
                }
            }
        }
    }

    /// Closes every open database. Later calls fail with `closed`.
    func close() throws(StoreError) {
        let databases = state.withLock { state -> [TenantDatabase] in
            state.closed = true
            let open = state.slots.values.compactMap { slot -> TenantDatabase? in
                if case .open(let database) = slot { return database }
                return nil
            }
            state.slots = state.slots.filter { if case .opening = $0.value { true } else { false } }
            return open
        }
        var firstError: StoreError?
        for database in databases {
            do throws(StoreError) { try database.close() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }

    private func openNow(_ tenant: String) throws(StoreError) -> TenantDatabase {
        let result: Result<TenantDatabase, StoreError>
        do throws(StoreError) {
            result = .success(try makeDatabase(tenant))
        } catch {
            result = .failure(error)
        }
        typealias Waiter = CheckedContinuation<TenantDatabase?, any Error>
        let (waiters, closed) = state.withLock { state -> ([Waiter], Bool) in
            guard case .opening(let waiters) = state.slots[tenant] else { return ([], state.closed) }
            switch result {
            case .success(let database) where !state.closed: state.slots[tenant] = .open(database)
            default: state.slots[tenant] = nil
            }
            return (waiters, state.closed)
        }
        if closed, case .success(let database) = result {
            try? database.close()
            let error = StoreError(.closed, "the store is closed")
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
        for waiter in waiters {
            switch result {
            case .success(let database): waiter.resume(returning: database)
            case .failure(let error): waiter.resume(throwing: error)
            }
        }
        return try result.get()
    }

    private func waitForOpen(_ tenant: String) async throws -> TenantDatabase? {
        try await withCheckedThrowingContinuation { continuation in
            let immediate = state.withLock { state -> Result<TenantDatabase?, StoreError>? in
                guard !state.closed else { return .failure(StoreError(.closed, "the store is closed")) }
                switch state.slots[tenant] {
                case .opening(var waiters):
                    waiters.append(continuation)
                    state.slots[tenant] = .opening(waiters)
                    return nil
                case .open(let database): return .success(database)
                case nil: return .success(nil)
                }
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    /// Every tenant with a database: the open ones and, for directory storage, those with a file. A file whose
    /// name was shortened with a hash is read to learn its tenant.
    func knownTenants() throws(StoreError) -> [String] {
        var tenants = state.withLock { state in
            Set(
                state.slots.compactMap { tenant, slot -> String? in
                    if case .open = slot { return tenant }
                    return nil
                }
            )
        }
        if case .directory(let directory) = configuration.storage.base {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for name in names where name.hasSuffix(".sqlite") {
                if name == TenantFileName.fileName(for: StoreTenant.defaultName) {
                    tenants.insert(StoreTenant.defaultName)
                } else if let tenant = TenantFileName.tenant(fromFileName: name) {
                    tenants.insert(tenant)
                } else if name.hasPrefix("tenant-"),
                    let tenant = Self.recordedTenant(directory.appendingPathComponent(name))
                {
                    tenants.insert(tenant)
                }
            }
        }
        return tenants.sorted()
    }

    /// The tenant name a database file records, read without opening it for writing.
    private static func recordedTenant(_ file: URL) -> String? {
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: file.path, configuration: configuration) else { return nil }
        defer { try? queue.close() }
        return try? queue.read { db in try String.fetchOne(db, sql: "SELECT name FROM tenant WHERE id = 1") }
    }

    private func fileExists(_ tenant: String) -> Bool {
        guard case .directory(let directory) = configuration.storage.base else { return false }
        let path = directory.appendingPathComponent(TenantFileName.fileName(for: tenant)).path
        return FileManager.default.fileExists(atPath: path)
    }
}
