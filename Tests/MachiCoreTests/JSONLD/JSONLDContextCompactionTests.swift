import MachiCore
import Testing

struct JSONLDContextCompactionTests {
    /// Shaped like the ETSI test suite's context: terms in its own namespace, some of them (`name`, `almostFull`)
    /// also being names that other entities use under the default vocabulary.
    static let suiteLike = """
        {
          "Building": "https://example.org/suite#Building",
          "almostFull": "https://example.org/suite#almostFull",
          "name": "https://example.org/suite#name",
          "schema": "https://schema.org/",
          "sdm": "https://smartdatamodels.org/",
          "sdmEnv": "https://smartdatamodels.org/dataModel.Environment/",
          "speed": "https://example.org/suite#speed",
          "velocity": "https://example.org/suite#speed",
          "v": "https://example.org/suite#speed"
        }
        """

    @Test(arguments: [
        // exact terms, the shortest (then lexicographically least) one if several map to the IRI
        ("https://example.org/suite#Building", "Building"),
        ("https://example.org/suite#speed", "v"),
        // the default vocabulary is stripped unless a user term claims the suffix (the almostFull case)
        ("https://uri.etsi.org/ngsi-ld/default-context/isParked", "isParked"),
        ("https://uri.etsi.org/ngsi-ld/default-context/almostFull", "ngsi-ld:default-context/almostFull"),
        ("https://uri.etsi.org/ngsi-ld/default-context/name", "ngsi-ld:default-context/name"),
        // compact IRIs: the shortest candidate wins
        ("https://schema.org/author", "schema:author"),
        ("https://smartdatamodels.org/dataModel.Environment/waterLevel", "sdmEnv:waterLevel"),
        ("https://smartdatamodels.org/name", "sdm:name"),
        // a suffix that would read as an absolute IRI or a compact IRI is not stripped
        ("https://uri.etsi.org/ngsi-ld/default-context/schema:x", "ngsi-ld:default-context/schema:x"),
        ("https://uri.etsi.org/ngsi-ld/default-context/http://x", "ngsi-ld:default-context/http://x"),
        // nothing fits
        ("https://example.com/other", "https://example.com/other"),
        ("urn:ngsi-ld:Building:1", "urn:ngsi-ld:Building:1"),
    ])
    func compactsLikeJSONLD(iri: String, compacted: String) async throws {
        let context = try await JSONLDTestSupport.resolveOffline(json: Self.suiteLike)
        #expect(context.compactIRI(iri) == compacted)
        #expect(context.expandTerm(compacted) == iri)
    }

    @Test func compactsTheSameIRIDifferentlyPerContext() async throws {
        let suite = try await JSONLDTestSupport.resolveOffline(json: Self.suiteLike)
        let iri = "https://uri.etsi.org/ngsi-ld/default-context/almostFull"
        #expect(JSONLDContext.core.compactIRI(iri) == "almostFull")
        #expect(suite.compactIRI(iri) == "ngsi-ld:default-context/almostFull")
        #expect(suite.compactIRI(suite.expandTerm("almostFull")) == "almostFull")
    }

    @Test(arguments: [
        "speed", "velocity", "almostFull", "Building", "temperature", "schema:author", "sdm:name", "location",
        "observedAt", "ngsi-ld:foo", "urn:ngsi-ld:x:1", "https://example.com/x", "ngsi-ld:default-context/name",
    ])
    func everyCompactionExpandsBack(term: String) async throws {
        let context = try await JSONLDTestSupport.resolveOffline(json: Self.suiteLike)
        let iri = context.expandTerm(term)
        #expect(context.expandTerm(context.compactIRI(iri)) == iri)
    }

    @Test(arguments: [
        ("WaterLevelHigh", "https://uri.etsi.org/ngsi-ld/default-context/WaterLevelHigh"),
        ("schema:Friday", "https://schema.org/Friday"),
        ("Building", "https://example.org/suite#Building"),
    ])
    func vocabValuesAreVocabularyRelative(value: String, iri: String) async throws {
        let context = try await JSONLDTestSupport.resolveOffline(json: Self.suiteLike)
        #expect(context.expandVocabValue(value) == iri)
        #expect(context.compactVocabValue(iri) == value)
    }

    @Test(arguments: [
        // identifiers are not terms: only prefix compact IRIs expand
        ("urn:ngsi-ld:Building:1", "urn:ngsi-ld:Building:1"),
        ("Building", "Building"),
        ("schema:Person1", "https://schema.org/Person1"),
        ("ngsi-ld:x", "https://uri.etsi.org/ngsi-ld/x"),
        ("https://example.org/thing", "https://example.org/thing"),
        ("@id", "@id"),
    ])
    func idValuesExpandOnlyPrefixes(value: String, iri: String) async throws {
        let context = try await JSONLDTestSupport.resolveOffline(json: Self.suiteLike)
        #expect(context.expandIDValue(value) == iri)
    }

    @Test(arguments: [
        ("urn:ngsi-ld:Building:1", "urn:ngsi-ld:Building:1"),
        ("https://schema.org/Person1", "schema:Person1"),
        ("https://example.org/suite#Building", "https://example.org/suite#Building"),
        ("https://uri.etsi.org/ngsi-ld/default-context/x", "ngsi-ld:default-context/x"),
    ])
    func idValuesCompactOnlyToPrefixes(iri: String, compacted: String) async throws {
        let context = try await JSONLDTestSupport.resolveOffline(json: Self.suiteLike)
        #expect(context.compactIDValue(iri) == compacted)
        #expect(context.expandIDValue(compacted) == iri)
    }

    @Test func keywordAliasesCompact() async throws {
        let context = try await JSONLDTestSupport.resolveOffline(json: #"{"identifier": "@id"}"#)
        #expect(context.compactIRI("@id") == "id")
        #expect(context.compactIRI("@type") == "type")
        #expect(context.compactIRI("@value") == "@value")
    }

    @Test func copiesShareTheirTables() async throws {
        let context = try await JSONLDTestSupport.resolveOffline(json: Self.suiteLike)
        let copy = context
        #expect(copy.expandTerm("speed") == context.expandTerm("speed"))
        #expect(MemoryLayout<JSONLDContext>.size == MemoryLayout<Int>.size)
    }
}
