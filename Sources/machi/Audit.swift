import ArgumentParser
import MachiApp

/// `machi audit`
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the audit trail.",
        subcommands: [Verify.self]
    )

    /// `machi audit verify`
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove every audit chain intact, or report its first broken link (exit status 1).",
            discussion: """
                Reads the database files directly (the server may be running). For each file prints the number of \
                intact records and the chain's head (sequence and hash: keep it elsewhere to detect a later \
                truncation), or the first broken record and what is wrong: hash mismatch (edited), gap (deleted), \
                previous hash mismatch (replaced or reordered).
                """
        )

        @Option(name: .long, help: "The directory of the SQLite data files.")
        var data: String = "./machi-data"

        @Option(name: .long, help: "Verify only this tenant's database (\"\" for the default tenant).")
        var tenant: String?

        func run() throws {
            let reports = try AuditCheck.run(directory: data, tenant: tenant)
            for report in reports { print(report.line) }
            if reports.contains(where: \.isBroken) { throw ExitCode(1) }
        }
    }
}
