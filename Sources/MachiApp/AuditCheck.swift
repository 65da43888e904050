import Foundation
import MachiSQLite
public import MachiStore

/// `machi audit verify`: checks the audit chain of every database file in a data directory (or of one tenant's).
public enum AuditCheck {
    /// One file's outcome.
    public struct FileReport: Sendable {
        /// The file name, e.g. `default.sqlite`.
        public var file: String
        /// `nil` when the file holds no audit trail.
        public var verification: AuditVerification?

        /// Whether the file's chain is broken.
        public var isBroken: Bool { verification?.isIntact == false }

        /// One line for the terminal.
        public var line: String {
            guard let verification else { return "\(file): no audit trail" }
            guard let broken = verification.broken else {
                return
                    "\(file): OK, \(verification.recordsChecked) records, head \(verification.headSequence) \(verification.headHash)"
            }
            return "\(file): BROKEN at record \(broken.sequence) (\(broken.code)): \(broken.message); "
                + "\(verification.recordsChecked) records before it are intact"
        }
    }

    /// Verifies the files of `directory`: every `*.sqlite`, or the file of `tenant` (`""` = the default tenant).
    /// - Throws: `StoreError` if the directory or a file cannot be read.
    public static func run(directory: String, tenant: String?) throws -> [FileReport] {
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        return try SQLiteAuditFiles.databases(in: url, tenant: tenant).map { file in
            FileReport(file: file.lastPathComponent, verification: try SQLiteAuditFiles.verify(file: file))
        }
    }
}
