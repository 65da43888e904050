import MachiCore
import Testing

struct JSONLDContextResolveTests {
    /// A Smart Data Models style user context, with the quirks real ones have: a compact IRI using the core
    /// `ngsi-ld` prefix without defining it, `id`/`type` restated, and a core term (`description`) restated.
    static let smartDataModels = """
        {
          "WaterObserved": "https://smartdatamodels.org/dataModel.Environment/WaterObserved",
          "dateObserved": {"@id": "https://smartdatamodels.org/dateObserved", "@type": "DateTime"},
          "refDevice": {"@id": "https://smartdatamodels.org/dataModel.Environment/refDevice", "@type": "@id"},
          "waterLevel": "https://smartdatamodels.org/dataModel.Environment/waterLevel",
          "name": "https://smartdatamodels.org/name",
          "description": "http://purl.org/dc/terms/description",
          "location": "ngsi-ld:location",
          "id": "@id",
          "type": "@type"
        }
        """

    @Test(arguments: [
        ("WaterObserved", "https://smartdatamodels.org/dataModel.Environment/WaterObserved"),
        ("dateObserved", "https://smartdatamodels.org/dateObserved"),
        ("refDevice", "https://smartdatamodels.org/dataModel.Environment/refDevice"),
        ("name", "https://smartdatamodels.org/name"),
        ("description", "http://purl.org/dc/terms/description"),
        ("location", "https://uri.etsi.org/ngsi-ld/location"),
        ("type", "@type"),
        ("temperature", "https://uri.etsi.org/ngsi-ld/default-context/temperature"),
        ("observedAt", "https://uri.etsi.org/ngsi-ld/observedAt"),
    ])
    func expandsSmartDataModelsTerms(term: String, iri: String) async throws {
        let context = try await JSONLDTestSupport.resolveOffline(json: Self.smartDataModels)
        #expect(!context.isCoreOnly)
        #expect(context.expandTerm(term) == iri)
        #expect(context.compactIRI(iri) == term)
    }

    @Test func keepsTypeMappingsOfUserTerms() async throws {
        let context = try await JSONLDTestSupport.resolveOffline(json: Self.smartDataModels)
        #expect(context.definition(of: "dateObserved")?.typeMapping == "https://uri.etsi.org/ngsi-ld/DateTime")
        #expect(context.definition(of: "refDevice")?.typeMapping == "@id")
        #expect(context.definition(of: "refDevice")?.isProtected == false)
    }

    @Test(arguments: [
        // own prefix, defined after its use: term order in a context object does not matter
        (#"{"t": "ex:thing", "ex": "https://example.org/ns#"}"#, "t", "https://example.org/ns#thing"),
        (#"{"ex": "https://example.org/ns/", "ex:raw": {"@type": "@id"}}"#, "ex:raw", "https://example.org/ns/raw"),
        (#"{"ex": "https://example.org/ns/"}"#, "ex:other", "https://example.org/ns/other"),
        // core prefixes are available to user contexts
        (#"{"speed": "ngsi-ld:default-context/speed"}"#, "speed", "https://uri.etsi.org/ngsi-ld/default-context/speed"),
        // a term whose @id equals the term, and a term with no @id: @vocab (the core one)
        (#"{"speed": {"@id": "speed"}}"#, "speed", "https://uri.etsi.org/ngsi-ld/default-context/speed"),
        (#"{"speed": {"@type": "@id"}}"#, "speed", "https://uri.etsi.org/ngsi-ld/default-context/speed"),
        // a user @vocab applies to the user's own term definitions, but the core @vocab wins for undefined terms
        (#"{"@vocab": "https://schema.org/", "author": "author"}"#, "author", "https://schema.org/author"),
        (#"{"@vocab": "https://schema.org/"}"#, "author", "https://uri.etsi.org/ngsi-ld/default-context/author"),
        // keyword aliases, and a term mapped to null falls back to the vocabulary
        (#"{"identifier": "@id"}"#, "identifier", "@id"),
        (#"{"junk": null}"#, "junk", "https://uri.etsi.org/ngsi-ld/default-context/junk"),
        // a term that is an absolute IRI, and a prefix made explicit with @prefix
        (#"{"https://ex.org/a": {"@type": "@id"}}"#, "https://ex.org/a", "https://ex.org/a"),
        (#"{"ex": {"@id": "https://example.org/x", "@prefix": true}}"#, "ex:y", "https://example.org/xy"),
        // an expanded definition does not make a prefix, and a non gen-delim IRI neither
        (#"{"ex": {"@id": "https://example.org/"}}"#, "ex:y", "ex:y"),
        (#"{"ex": "https://example.org/x"}"#, "ex:y", "ex:y"),
        // a relative IRI as a term expands against the vocabulary, with or without its own @id
        (#"{"a/b": {}}"#, "a/b", "https://uri.etsi.org/ngsi-ld/default-context/a/b"),
        (#"{"a/b": {"@id": "a/b"}}"#, "a/b", "https://uri.etsi.org/ngsi-ld/default-context/a/b"),
        // @vocab is expanded before, and without, the terms of its own context object
        (#"{"@vocab": "ex:", "ex": "https://example.org/", "t": "t"}"#, "t", "ex:t"),
    ])
    func processesInlineDefinitions(context: String, term: String, iri: String) async throws {
        let resolved = try await JSONLDTestSupport.resolveOffline(json: context)
        #expect(resolved.expandTerm(term) == iri)
    }

    @Test(arguments: [
        #"{"location": "https://schema.org/location"}"#,
        #"{"id": "https://example.org/id", "type": "https://example.org/type"}"#,
        #"{"value": {"@id": "https://example.org/value", "@type": "@json"}}"#,
        #"{"ngsi-ld": "https://example.org/evil/"}"#,
        #"[{"@version": 1.1, "@protected": true, "location": "https://schema.org/location"}]"#,
        #"["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld", {"location": "https://schema.org/location"}]"#,
    ])
    func coreTermsWin(context: String) async throws {
        let resolved = try await JSONLDTestSupport.resolveOffline(json: context)
        #expect(resolved.expandTerm("location") == "https://uri.etsi.org/ngsi-ld/location")
        #expect(resolved.expandTerm("id") == "@id")
        #expect(resolved.expandTerm("type") == "@type")
        #expect(resolved.expandTerm("value") == "https://uri.etsi.org/ngsi-ld/hasValue")
        #expect(resolved.expandTerm("ngsi-ld:x") == "https://uri.etsi.org/ngsi-ld/x")
        #expect(resolved.definition(of: "location")?.isProtected == true)
        #expect(resolved.compactIRI("https://uri.etsi.org/ngsi-ld/location") == "location")
    }

    @Test(
        arguments: [
            JSON.null,
            "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld",
            "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
            [],
            [.null, "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"],
        ] as [JSON]
    )
    func coreOnlyContextsNeedNoLoader(context: JSON) async throws {
        let resolved = try await JSONLDTestSupport.resolveOffline(context)
        #expect(resolved.isCoreOnly)
        #expect(resolved.coreVersion == .v1_8)
    }

    @Test func anOtherCoreVersionAddsItsTermsUnderTheActiveCore() async throws {
        let context = try await JSONLDTestSupport.resolveOffline(
            "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"
        )
        #expect(!context.isCoreOnly)
        #expect(context.expandTerm("EntityMap") == "https://uri.etsi.org/ngsi-ld/EntityMap")
        // v1.9 maps attributeCount to ngsi-ld:, the active v1.8 core maps it to the default vocabulary: v1.8 wins
        #expect(context.expandTerm("attributeCount") == "https://uri.etsi.org/ngsi-ld/default-context/attributeCount")
        let v19 = try await JSONLDContext.resolve(
            "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld",
            core: .v1_9
        ) {
            url throws(NGSIError) in throw NGSIError(.ldContextNotAvailable, url)
        }
        #expect(v19.isCoreOnly)
        #expect(v19.expandTerm("attributeCount") == "https://uri.etsi.org/ngsi-ld/attributeCount")
    }

    @Test func nullResetsToTheCore() async throws {
        let context = try await JSONLDTestSupport.resolveOffline(
            json:
                #"[{"speed": "https://example.org/speed", "fuel": "https://example.org/fuel"}, null, {"fuel": "https://example.org/f2"}]"#
        )
        #expect(context.expandTerm("speed") == "https://uri.etsi.org/ngsi-ld/default-context/speed")
        #expect(context.expandTerm("fuel") == "https://example.org/f2")
    }

    @Test func laterContextsOverrideEarlierOnes() async throws {
        let context = try await JSONLDTestSupport.resolveOffline(
            json: #"[{"speed": "https://example.org/a"}, {"speed": "https://example.org/b"}]"#
        )
        #expect(context.expandTerm("speed") == "https://example.org/b")
    }

    @Test func protectedUserTermsCanBeRestatedIdentically() async throws {
        let context = try await JSONLDTestSupport.resolveOffline(
            json: #"[{"@protected": true, "speed": "https://example.org/a"}, {"speed": "https://example.org/a"}]"#
        )
        #expect(context.expandTerm("speed") == "https://example.org/a")
        #expect(context.definition(of: "speed")?.isProtected == true)
    }

    @Test func toleratesKeywordsItIgnores() async throws {
        let context = try await JSONLDTestSupport.resolveOffline(
            json: #"""
                {"@version": 1.1, "@base": "https://example.org/", "@language": "en", "@direction": "ltr",
                 "@propagate": true, "@type": {"@container": "@set"}, "@ignoredFutureKeyword": "x",
                 "label": {"@id": "https://example.org/label", "@language": "ja", "@container": ["@set", "@index"],
                           "@index": "https://example.org/lang", "@nest": "@nest"}}
                """#
        )
        #expect(context.expandTerm("label") == "https://example.org/label")
        #expect(context.definition(of: "label")?.containers == ["@set", "@index"])
        #expect(context.definition(of: "@ignoredFutureKeyword") == nil)
    }

    @Test func reverseTermsAreNotUsedForAttributeNames() async throws {
        let context = try await JSONLDTestSupport.resolveOffline(
            json: #"{"isPartOf": {"@reverse": "https://schema.org/hasPart"}}"#
        )
        #expect(context.definition(of: "isPartOf")?.isReverse == true)
        #expect(context.expandTerm("isPartOf") == "https://uri.etsi.org/ngsi-ld/default-context/isPartOf")
        #expect(context.compactIRI("https://schema.org/hasPart") == "https://schema.org/hasPart")
    }
}
