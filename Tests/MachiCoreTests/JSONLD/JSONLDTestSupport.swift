import Foundation
import MachiCore
import Synchronization

/// Serves JSON-LD context documents from memory, as the caller's cache would, and records what was loaded.
final class JSONLDFakeContextServer: Sendable {
    private let documents: [String: String]
    private let loads = Mutex<[String]>([])

    /// `documents` maps absolute URLs to JSON texts.
    init(_ documents: [String: String]) { self.documents = documents }

    /// The URLs loaded so far, in order.
    var loadedURLs: [String] { loads.withLock { $0 } }

    /// The `load` closure for `JSONLDContext.resolve`.
    func load(_ url: String) async throws(NGSIError) -> JSON {
        loads.withLock { $0.append(url) }
        guard let text = documents[url] else {
            throw NGSIError(.ldContextNotAvailable, "no context at \(url)")
        }
        do {
            return try JSONParser.parse(text)
        } catch {
            throw NGSIError(.ldContextNotAvailable, "the context at \(url) is not JSON: \(error)")
        }
    }
}

enum JSONLDTestSupport {
    /// Parses JSON text written in a test.
    static func json(_ text: String) -> JSON {
        do {
            return try JSONParser.parse(text)
        } catch {
            preconditionFailure("test JSON does not parse: \(error)")
        }
    }

    /// A JSON object of string members, in order.
    static func object(_ members: [(String, String)]) -> JSON {
        json("{" + members.map { #""\#($0.0)": "\#($0.1)""# }.joined(separator: ", ") + "}")
    }

    /// The keys of the `@context` object of a context document's text, read with Foundation (the test target does
    /// not depend on OrderedCollections).
    static func contextKeys(of text: String) throws -> [String] {
        let document = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let context = document?["@context"] as? [String: Any] ?? [:]
        return context.keys.sorted()
    }

    /// Resolves `context` with a loader that fails for every URL.
    static func resolveOffline(_ context: JSON) async throws(NGSIError) -> JSONLDContext {
        try await JSONLDContext.resolve(context) { url throws(NGSIError) in
            throw NGSIError(.ldContextNotAvailable, "offline: \(url)")
        }
    }

    /// Resolves context JSON text with a loader that fails for every URL.
    static func resolveOffline(json text: String) async throws(NGSIError) -> JSONLDContext {
        try await resolveOffline(json(text))
    }

    /// The repository's `scripts/jsonld-check/fixtures` folder, found from this file (symlinks resolved, so it also
    /// works when the test folder is linked into another package).
    static let fixturesDirectory: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()  // JSONLD
        .deletingLastPathComponent()  // MachiCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("scripts/jsonld-check/fixtures", isDirectory: true)

    /// The ETSI NGSI-LD test suite checkout, if this machine has one (never copied into the repository).
    static let etsiTestSuiteContextPath = "/tmp/ngsi-ld-test-suite/resources/jsonld-contexts/ngsi-ld-test-suite.jsonld"
}
