import Foundation
import MachiCore
import Testing

struct JSONLDCoreContextTests {
    @Test(arguments: NGSILDCoreContext.allCases)
    func builtInTextIsAContextDocument(version: NGSILDCoreContext) throws {
        let context = try #require(JSONParser.parse(version.text)["@context"])
        #expect(context["ngsi-ld"] == "https://uri.etsi.org/ngsi-ld/")
        #expect(context["@vocab"] == .string(NGSILDCoreContext.defaultVocabulary))
        #expect(JSONLDContext.core(version).coreVersion == version)
        #expect(JSONLDContext.core(version).isCoreOnly)
    }

    @Test(arguments: [
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld", NGSILDCoreContext.v1_6),
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld", .v1_8),
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld", .v1_9),
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld", .v1_8),
    ])
    func recognisesCoreURLs(url: String, version: NGSILDCoreContext) {
        #expect(NGSILDCoreContext(url: url) == version)
    }

    @Test(arguments: [
        "http://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld",
        "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.7.jsonld",
        "https://example.org/ngsi-ld-core-context-v1.8.jsonld",
    ])
    func doesNotClaimOtherURLs(url: String) {
        #expect(NGSILDCoreContext(url: url) == nil)
    }

    /// What the v1.8 core context really maps (checked against its text), including terms that users often expect to
    /// be core but are not (`name`, `temperature`: default vocabulary).
    @Test(arguments: [
        ("id", "@id"),
        ("type", "@type"),
        ("location", "https://uri.etsi.org/ngsi-ld/location"),
        ("observationSpace", "https://uri.etsi.org/ngsi-ld/observationSpace"),
        ("value", "https://uri.etsi.org/ngsi-ld/hasValue"),
        ("object", "https://uri.etsi.org/ngsi-ld/hasObject"),
        ("languageMap", "https://uri.etsi.org/ngsi-ld/hasLanguageMap"),
        ("vocab", "https://uri.etsi.org/ngsi-ld/hasVocab"),
        ("json", "https://uri.etsi.org/ngsi-ld/hasJSON"),
        ("valueList", "https://uri.etsi.org/ngsi-ld/hasValueList"),
        ("objectList", "https://uri.etsi.org/ngsi-ld/hasObjectList"),
        ("observedAt", "https://uri.etsi.org/ngsi-ld/observedAt"),
        ("unitCode", "https://uri.etsi.org/ngsi-ld/unitCode"),
        ("datasetId", "https://uri.etsi.org/ngsi-ld/datasetId"),
        ("Property", "https://uri.etsi.org/ngsi-ld/Property"),
        ("GeoProperty", "https://uri.etsi.org/ngsi-ld/GeoProperty"),
        ("VocabProperty", "https://uri.etsi.org/ngsi-ld/VocabProperty"),
        ("Point", "https://purl.org/geojson/vocab#Point"),
        ("coordinates", "https://purl.org/geojson/vocab#coordinates"),
        ("description", "http://purl.org/dc/terms/description"),
        ("title", "http://purl.org/dc/terms/title"),
        ("containedBy", "https://uri.etsi.org/ngsi-ld/isContainedBy"),
        ("attributeCount", "https://uri.etsi.org/ngsi-ld/default-context/attributeCount"),
        ("name", "https://uri.etsi.org/ngsi-ld/default-context/name"),
        ("temperature", "https://uri.etsi.org/ngsi-ld/default-context/temperature"),
        ("Vehicle", "https://uri.etsi.org/ngsi-ld/default-context/Vehicle"),
        ("ngsi-ld:location", "https://uri.etsi.org/ngsi-ld/location"),
        ("geojson:Point", "https://purl.org/geojson/vocab#Point"),
        ("urn:ngsi-ld:Vehicle:A4567", "urn:ngsi-ld:Vehicle:A4567"),
        ("https://schema.org/name", "https://schema.org/name"),
        ("http://example.org/a b", "http://example.org/a b"),
        ("_:b0", "_:b0"),
        ("@id", "@id"),
        ("@future", "@future"),
        ("unknown:thing", "unknown:thing"),
    ])
    func expandsWithTheCoreContext(term: String, iri: String) {
        #expect(JSONLDContext.core.expandTerm(term) == iri)
    }

    @Test(arguments: [
        ("https://uri.etsi.org/ngsi-ld/location", "location"),
        ("https://uri.etsi.org/ngsi-ld/hasValue", "value"),
        ("https://uri.etsi.org/ngsi-ld/observedAt", "observedAt"),
        ("https://uri.etsi.org/ngsi-ld/default-context/temperature", "temperature"),
        ("https://uri.etsi.org/ngsi-ld/default-context/attributeCount", "attributeCount"),
        ("https://uri.etsi.org/ngsi-ld/somethingNew", "ngsi-ld:somethingNew"),
        ("https://uri.etsi.org/ngsi-ld/default-context/", "ngsi-ld:default-context/"),
        ("https://purl.org/geojson/vocab#Point", "Point"),
        ("https://purl.org/geojson/vocab#other", "geojson:other"),
        ("@id", "id"),
        ("@type", "type"),
        ("https://smartdatamodels.org/name", "https://smartdatamodels.org/name"),
        ("urn:ngsi-ld:Vehicle:A4567", "urn:ngsi-ld:Vehicle:A4567"),
    ])
    func compactsWithTheCoreContext(iri: String, term: String) {
        #expect(JSONLDContext.core.compactIRI(iri) == term)
        #expect(JSONLDContext.core.expandTerm(term) == iri)
    }

    @Test func versionsDifferWhereTheTextsDiffer() {
        let v16 = JSONLDContext.core(.v1_6)
        let v19 = JSONLDContext.core(.v1_9)
        #expect(v16.expandTerm("attributeCount") == "https://uri.etsi.org/ngsi-ld/attributeCount")
        #expect(v16.expandTerm("vocab") == "https://uri.etsi.org/ngsi-ld/default-context/vocab")
        #expect(v19.expandTerm("attributeCount") == "https://uri.etsi.org/ngsi-ld/attributeCount")
        #expect(v19.expandTerm("EntityMap") == "https://uri.etsi.org/ngsi-ld/EntityMap")
        #expect(JSONLDContext.core.expandTerm("EntityMap") == "https://uri.etsi.org/ngsi-ld/default-context/EntityMap")
    }

    @Test func exposesTermDefinitions() throws {
        let core = JSONLDContext.core
        let observedAt = try #require(core.definition(of: "observedAt"))
        #expect(observedAt.typeMapping == "https://uri.etsi.org/ngsi-ld/DateTime")
        #expect(observedAt.isProtected)
        #expect(core.definition(of: "object")?.typeMapping == "@id")
        #expect(core.definition(of: "vocab")?.typeMapping == "@vocab")
        #expect(core.definition(of: "json")?.typeMapping == "@json")
        #expect(core.definition(of: "languageMap")?.containers == ["@language"])
        #expect(core.definition(of: "ngsi-ld")?.isPrefix == true)
        #expect(core.definition(of: "location")?.isPrefix == false)
        #expect(core.definition(of: "name") == nil)
        #expect(JSONLDContext.core(.v1_6).definition(of: "location")?.isProtected == false)
        #expect(core.vocabularyMapping == "https://uri.etsi.org/ngsi-ld/default-context/")
    }

    @Test(arguments: NGSILDCoreContext.allCases)
    func everyCoreTermRoundTrips(version: NGSILDCoreContext) throws {
        let context = JSONLDContext.core(version)
        for term in try JSONLDTestSupport.contextKeys(of: version.text) where !term.hasPrefix("@") {
            let iri = context.expandTerm(term)
            #expect(context.expandTerm(context.compactIRI(iri)) == iri, "term \(term)")
        }
    }
}
