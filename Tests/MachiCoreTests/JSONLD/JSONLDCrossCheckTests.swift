import Foundation
import MachiCore
import Testing

/// Compares `JSONLDContext` with what the reference JSON-LD processor pyld says for the same contexts.
///
/// The expectations come from `scripts/jsonld-check/check.py` (Smart Data Models contexts and examples, and inline
/// contexts for the JSON-LD corners); re-run it to regenerate them.
struct JSONLDCrossCheckTests {
    /// One case of `expected-expansions.json`.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let context: JSON
        let expansions: [String: String]
        let types: [String: String]
        let compactions: [String: String]
        let vocabValues: [String: String]
        let idValues: [String: String]
        var testDescription: String { name }
    }

    /// The parsed `expected-expansions.json`: its cases, and the fixture texts by URL.
    struct Fixture: Sendable {
        var cases: [Case] = []
        var documents: [String: String] = [:]
    }

    static let fixture: Fixture = {
        let url = JSONLDTestSupport.fixturesDirectory.appendingPathComponent("expected-expansions.json")
        guard let data = try? Data(contentsOf: url),
            let expected = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return Fixture() }
        var fixture = Fixture()
        fixture.cases = (expected["cases"] as? [[String: Any]] ?? []).map { raw in
            Case(
                name: raw["name"] as? String ?? "?",
                context: json(raw["context"] ?? NSNull()),
                expansions: raw["expansions"] as? [String: String] ?? [:],
                types: raw["types"] as? [String: String] ?? [:],
                compactions: raw["compactions"] as? [String: String] ?? [:],
                vocabValues: raw["vocabValues"] as? [String: String] ?? [:],
                idValues: raw["idValues"] as? [String: String] ?? [:]
            )
        }
        // Serve every fixture document under its URL, core contexts included, to prove those are never loaded.
        for (url, path) in expected["documents"] as? [String: String] ?? [:] {
            let file = JSONLDTestSupport.fixturesDirectory.appendingPathComponent(path)
            fixture.documents[url] = try? String(contentsOf: file, encoding: .utf8)
        }
        return fixture
    }()

    private static func json(_ value: Any) -> JSON {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]),
            let parsed = try? JSONParser.parse(data)
        else { return .null }
        return parsed
    }

    @Test func expectationsAreThere() {
        #expect(Self.fixture.cases.count >= 8)
        #expect(Self.fixture.cases.allSatisfy { !$0.expansions.isEmpty && !$0.compactions.isEmpty })
    }

    @Test(arguments: JSONLDCrossCheckTests.fixture.cases)
    func agreesWithPyLD(_ expected: Case) async throws {
        let server = JSONLDFakeContextServer(Self.fixture.documents)
        let context = try await JSONLDContext.resolve(expected.context) { url throws(NGSIError) in
            try await server.load(url)
        }
        for (term, iri) in expected.expansions {
            #expect(context.expandTerm(term) == iri, "expand \(term)")
        }
        for (type, iri) in expected.types {
            #expect(context.expandTerm(type) == iri, "expand type \(type)")
        }
        for (iri, compacted) in expected.compactions {
            #expect(context.compactIRI(iri) == compacted, "compact \(iri)")
        }
        for (value, iri) in expected.vocabValues {
            #expect(context.expandVocabValue(value) == iri, "expand vocab value \(value)")
            #expect(context.compactVocabValue(iri) == value, "compact vocab value \(iri)")
        }
        for (value, iri) in expected.idValues {
            #expect(context.expandIDValue(value) == iri, "expand id value \(value)")
        }
        #expect(!server.loadedURLs.contains { $0.hasPrefix("https://uri.etsi.org/") })
    }

    @Test(arguments: NGSILDCoreContext.allCases)
    func exportedCoreContextsMatchTheBuiltInTexts(version: NGSILDCoreContext) throws {
        let file = JSONLDTestSupport.fixturesDirectory.appendingPathComponent(
            "core/ngsi-ld-core-context-v\(version.rawValue).jsonld"
        )
        let exported = try String(contentsOf: file, encoding: .utf8)
        #expect(exported == version.text + "\n", "re-run scripts/jsonld-check/check.py")
    }
}
