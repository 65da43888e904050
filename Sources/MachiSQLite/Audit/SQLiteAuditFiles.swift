public import Foundation
import GRDB
public import MachiStore

/// Verifies audit chains straight from database files, without a running store (`machi audit verify`).
public enum SQLiteAuditFiles {
    /// The database files of a data directory that may hold a chain: every `*.sqlite`, sorted by name; or, for
    /// `tenant`, that tenant's file alone.
    public static func databases(in directory: URL, tenant: String? = nil) throws -> [URL] {
        if let tenant { return [directory.appendingPathComponent(TenantFileName.fileName(for: tenant))] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StoreError(.invalidConfiguration, "cannot list the data directory", underlying: error)
        }
        return names.filter { $0.hasSuffix(".sqlite") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Verifies the chain in `file`, opened read-only.
    /// - Returns: `nil` if the file has no audit table.
    /// - Throws: `StoreError` if the file cannot be read.
    public static func verify(file: URL) throws -> AuditVerification? {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw StoreError(.invalidConfiguration, "no such database file")
        }
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: file.path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                guard try db.tableExists("audit_record") else { return nil }
                return try AuditReader(db: db).verify()
            }
        } catch {
            throw StoreError(mapping: error, "cannot read the database file")
        }
    }
}
