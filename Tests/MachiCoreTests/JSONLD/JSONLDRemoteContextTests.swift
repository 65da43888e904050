import Foundation
import MachiCore
import Testing

struct JSONLDRemoteContextTests {
    static let core18 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"

    static let documents: [String: String] = [
        "https://example.org/ctx/suite.jsonld":
            #"{"@context": {"Vehicle": "https://example.org/suite#Vehicle", "speed": "https://example.org/suite#speed"}}"#,
        "https://example.org/ctx/compound.jsonld":
            #"{"@context": ["https://example.org/ctx/suite.jsonld", "\#(core18)"]}"#,
        "https://example.org/ctx/a/main.jsonld": #"{"@context": ["../shared/common.jsonld", {"x": "common:x"}]}"#,
        "https://example.org/ctx/shared/common.jsonld": #"{"@context": {"common": "https://example.org/common#"}}"#,
        "https://example.org/ctx/diamond.jsonld":
            #"{"@context": ["https://example.org/ctx/suite.jsonld", "https://example.org/ctx/compound.jsonld"]}"#,
        "https://example.org/ctx/importer.jsonld":
            #"{"@context": {"@import": "https://example.org/ctx/suite.jsonld", "speed": "https://example.org/own#speed"}}"#,
        "https://example.org/ctx/no-context.jsonld": #"{"Vehicle": "https://example.org/suite#Vehicle"}"#,
        "https://example.org/ctx/array.jsonld": #"["https://example.org/ctx/suite.jsonld"]"#,
        "https://example.org/ctx/self.jsonld": #"{"@context": "https://example.org/ctx/self.jsonld"}"#,
        "https://example.org/ctx/cycle-a.jsonld": #"{"@context": ["https://example.org/ctx/cycle-b.jsonld"]}"#,
        "https://example.org/ctx/cycle-b.jsonld": #"{"@context": [{"b": "https://example.org/b"}, "cycle-a.jsonld"]}"#,
        "https://example.org/ctx/bad-term.jsonld": #"{"@context": {"speed": 42}}"#,
    ]

    static let server = JSONLDFakeContextServer(documents)

    private static func resolve(
        _ context: JSON,
        server: JSONLDFakeContextServer = JSONLDRemoteContextTests.server,
        limits: JSONLDContext.Limits = JSONLDContext.Limits()
    ) async throws(NGSIError) -> JSONLDContext {
        try await JSONLDContext.resolve(context, limits: limits) { url throws(NGSIError) in try await server.load(url) }
    }

    @Test func loadsAContextByURL() async throws {
        let server = JSONLDFakeContextServer([
            "https://example.org/ctx/suite.jsonld": #"{"@context": {"speed": "https://example.org/suite#speed"}}"#
        ])
        let context = try await Self.resolve("https://example.org/ctx/suite.jsonld", server: server)
        #expect(context.expandTerm("speed") == "https://example.org/suite#speed")
        #expect(server.loadedURLs == ["https://example.org/ctx/suite.jsonld"])
    }

    @Test func followsNestedRemoteContextsWithoutLoadingTheCore() async throws {
        let server = JSONLDFakeContextServer(Self.documents)
        let context = try await Self.resolve("https://example.org/ctx/compound.jsonld", server: server)
        #expect(context.expandTerm("Vehicle") == "https://example.org/suite#Vehicle")
        #expect(context.expandTerm("location") == "https://uri.etsi.org/ngsi-ld/location")
        #expect(
            server.loadedURLs == ["https://example.org/ctx/compound.jsonld", "https://example.org/ctx/suite.jsonld"]
        )
    }

    @Test func resolvesRelativeReferencesAgainstTheReferringDocument() async throws {
        let context = try await Self.resolve("https://example.org/ctx/a/main.jsonld")
        #expect(context.expandTerm("x") == "https://example.org/common#x")
        #expect(context.expandTerm("common:y") == "https://example.org/common#y")
    }

    @Test func loadsEachURLOnce() async throws {
        let server = JSONLDFakeContextServer(Self.documents)
        _ = try await Self.resolve(
            ["https://example.org/ctx/diamond.jsonld", "https://example.org/ctx/suite.jsonld"],
            server: server
        )
        #expect(server.loadedURLs.count == Set(server.loadedURLs).count)
        #expect(Set(server.loadedURLs).count == 3)
    }

    @Test func mergesImports() async throws {
        let context = try await Self.resolve("https://example.org/ctx/importer.jsonld")
        #expect(context.expandTerm("Vehicle") == "https://example.org/suite#Vehicle")
        #expect(context.expandTerm("speed") == "https://example.org/own#speed")
        let fromCore = try await Self.resolve(
            JSONLDTestSupport.json(#"{"@import": "\#(Self.core18)", "speed": "https://example.org/s"}"#)
        )
        #expect(fromCore.expandTerm("speed") == "https://example.org/s")
    }

    @Test(arguments: [
        ("https://example.org/ctx/self.jsonld", "recursive @context inclusion"),
        ("https://example.org/ctx/cycle-a.jsonld", "recursive @context inclusion"),
        ("https://example.org/ctx/no-context.jsonld", "has no top-level @context"),
        ("https://example.org/ctx/array.jsonld", "has no top-level @context"),
        (
            "https://example.org/ctx/bad-term.jsonld",
            "term 'speed' must map to a string, an object or null, not to a number"
        ),
        ("relative/ctx.jsonld", "is not an absolute URL"),
    ])
    func rejectsBrokenRemoteContexts(url: String, detail: String) async {
        let error = await #expect(throws: NGSIError.self) { try await Self.resolve(.string(url)) }
        #expect(error?.code == .badRequestData)
        #expect(error?.detail.contains(detail) == true, "\(String(describing: error))")
    }

    @Test func passesLoaderErrorsOn() async {
        let error = await #expect(throws: NGSIError.self) {
            try await Self.resolve("https://example.org/ctx/missing.jsonld")
        }
        #expect(error?.code == .ldContextNotAvailable)
        #expect(error?.status == 504)
    }

    @Test func limitsNestingDepth() async {
        var documents: [String: String] = [:]
        for level in 0..<12 {
            documents["https://example.org/deep/\(level).jsonld"] = #"{"@context": "\#(level + 1).jsonld"}"#
        }
        let server = JSONLDFakeContextServer(documents)
        let error = await #expect(throws: NGSIError.self) {
            try await Self.resolve("https://example.org/deep/0.jsonld", server: server)
        }
        #expect(error?.code == .badRequestData)
        #expect(error?.detail.contains("nested more than 8 levels") == true)
        #expect(server.loadedURLs.count == 8)
    }

    @Test func limitsTheNumberOfRemoteDocuments() async {
        let urls = (0..<40).map { "https://example.org/many/\($0).jsonld" }
        let server = JSONLDFakeContextServer(
            Dictionary(uniqueKeysWithValues: urls.map { ($0, #"{"@context": {}}"#) })
        )
        let error = await #expect(throws: NGSIError.self) {
            try await Self.resolve(.array(urls.map(JSON.string)), server: server)
        }
        #expect(error?.detail.contains("more than 32 remote documents") == true)
        #expect(server.loadedURLs.count == 32)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: JSONLDTestSupport.etsiTestSuiteContextPath)))
    func resolvesTheETSITestSuiteContext() async throws {
        // The suite's compound context references its plain one on GitHub and the v1.8 core context.
        let suiteURL =
            "https://raw.githubusercontent.com/marek-mraz/ngsi-ld-test-suite/main/resources/jsonld-contexts/ngsi-ld-test-suite.jsonld"
        let server = JSONLDFakeContextServer([
            suiteURL: try String(contentsOfFile: JSONLDTestSupport.etsiTestSuiteContextPath, encoding: .utf8),
            "https://example.org/ngsi-ld-test-suite-compound.jsonld":
                #"{"@context": ["\#(suiteURL)", "\#(Self.core18)"]}"#,
        ])
        let context = try await Self.resolve("https://example.org/ngsi-ld-test-suite-compound.jsonld", server: server)
        #expect(context.expandTerm("Building") == "https://ngsi-ld-test-suite/context#Building")
        #expect(context.expandTerm("almostFull") == "https://ngsi-ld-test-suite/context#almostFull")
        #expect(context.expandTerm("isParked") == "https://uri.etsi.org/ngsi-ld/default-context/isParked")
        #expect(context.compactIRI("https://ngsi-ld-test-suite/context#brandName") == "brandName")
        // 001_05_02: created without a context, read back with the suite's: not compacted to the suite's term
        #expect(
            context.compactIRI("https://uri.etsi.org/ngsi-ld/default-context/almostFull")
                == "ngsi-ld:default-context/almostFull"
        )
        // vehicle-simple-attributes-core-context.json: read back with the core context alone
        #expect(
            JSONLDContext.core.compactIRI("https://ngsi-ld-test-suite/context#brandName")
                == "https://ngsi-ld-test-suite/context#brandName"
        )
        #expect(server.loadedURLs.count == 2)
    }
}
