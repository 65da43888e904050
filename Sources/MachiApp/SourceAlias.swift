import Foundation

/// This broker's Context Source alias (ETSI GS CIM 009, Table 5.2.40-1): configured, or a random URN made on first
/// start and kept in the data directory (`source-alias`), so it is unique and stays the same across restarts.
enum SourceAlias {
    static let fileName = "source-alias"

    /// The configured alias, else the one in `dataDirectory` (written now if missing); a fresh one without a directory.
    static func load(configured: String?, dataDirectory: String?) throws -> String {
        if let configured, !configured.isEmpty { return configured }
        let fresh = "urn:ngsi-ld:ContextSource:" + UUID().uuidString.lowercased()
        guard let dataDirectory else { return fresh }
        let file = URL(fileURLWithPath: dataDirectory, isDirectory: true).appendingPathComponent(fileName)
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            let alias = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !alias.isEmpty { return alias }
        }
        try Data((fresh + "\n").utf8).write(to: file, options: .atomic)
        return fresh
    }
}
