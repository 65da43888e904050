import MachiCore
import Testing

/// Invalid and hostile contexts: each is rejected with `BadRequestData` and a detail that says what is wrong.
struct JSONLDHostileContextTests {
    @Test(arguments: [
        (#"{"speed": 42}"#, "term 'speed' must map to a string, an object or null, not to a number"),
        (#"{"speed": true}"#, "not to a boolean"),
        (#"{"speed": ["https://example.org/a"]}"#, "not to a array"),
        (#"{"speed": {"@id": 42}}"#, "term 'speed': @id must be a string or null, found number"),
        (#"{"speed": {"@id": "https://example.org/s", "@type": 1}}"#, "@type must be a string"),
        (#"{"speed": {"@id": "https://example.org/s", "@type": "@list"}}"#, "is neither a keyword nor an absolute IRI"),
        (#"{"speed": {"@id": "https://example.org/s", "@container": "@bag"}}"#, "is not a valid @container value"),
        (#"{"speed": {"@id": "https://example.org/s", "@container": ["@list", "@set"]}}"#, "@list cannot be combined"),
        (#"{"speed": {"@id": "https://example.org/s", "@unknown": 1}}"#, "'@unknown' is not allowed"),
        (#"{"speed": {"@id": "https://example.org/s", "@protected": "yes"}}"#, "@protected must be a boolean"),
        (#"{"speed": {"@id": "https://example.org/s", "@prefix": 1}}"#, "@prefix must be a boolean"),
        (#"{"ex:speed": {"@id": "ex:speed", "@prefix": true}}"#, "cannot have @prefix"),
        (
            #"{"speed": {"@id": "https://example.org/s", "@context": {"a": "https://example.org/a"}}}"#,
            "scoped @context"
        ),
        (#"{"speed": {"@reverse": 5}}"#, "@reverse must be a string"),
        (
            #"{"speed": {"@reverse": "https://example.org/r", "@id": "https://example.org/s"}}"#,
            "cannot be combined with @id"
        ),
        (#"{"a": "b:x", "b": "a:y"}"#, "depends on itself (cyclic IRI mapping)"),
        (#"{"a": {"@id": "a:x"}}"#, "depends on itself"),
        (
            #"{"ex:a": "https://other.org/a", "ex": "https://example.org/"}"#,
            "looks like an IRI but maps to the different IRI"
        ),
        (#"{"ctx": "@context"}"#, "cannot be an alias of @context"),
        (#"{"gone": null, "speed": "gone"}"#, "term 'speed' maps to \"gone\", which is not an absolute IRI"),
        (#"[{"@protected": true, "gone": null}, {"gone": "https://example.org/g"}]"#, "term 'gone' is protected"),
        (#"{"@context": {}}"#, "the keyword '@context' cannot be redefined"),
        (#"{"@id": "https://example.org/id"}"#, "the keyword '@id' cannot be redefined"),
        (#"{"@type": "https://example.org/type"}"#, "the keyword '@type' can only be given"),
        (#"{"": "https://example.org/empty"}"#, "a term must not be the empty string"),
        (#"{"@version": 1.0}"#, "@version must be the number 1.1"),
        (#"{"@vocab": 5}"#, "@vocab must be a string or null"),
        (#"{"@vocab": "not an iri"}"#, "is not an absolute IRI"),
        (#"{"@protected": "true"}"#, "@protected must be a boolean"),
        (#"{"@import": 3}"#, "@import must be a URL string"),
        (#"[[{"a": "https://example.org/a"}]]"#, "must not contain arrays"),
        (#"[1]"#, "an @context entry must be a URL, an object or null, not a number"),
        ("true", "not a boolean"),
        (
            #"[{"@protected": true, "s": "https://example.org/a"}, {"s": "https://example.org/b"}]"#,
            "term 's' is protected"
        ),
        (#"[{"@protected": true, "s": "https://example.org/a"}, {"s": null}]"#, "term 's' is protected"),
        (
            #"[{"@protected": true, "s": "https://example.org/a"}, null]"#,
            "null cannot reset a context that has the protected term 's'"
        ),
    ])
    func rejectsInvalidContexts(context: String, detail: String) async {
        let error = await #expect(throws: NGSIError.self) { try await JSONLDTestSupport.resolveOffline(json: context) }
        #expect(error?.code == .badRequestData)
        #expect(error?.detail.hasPrefix("Invalid @context: ") == true)
        #expect(error?.detail.contains(detail) == true, "\(String(describing: error))")
    }

    @Test func keepsErrorDetailsShort() async {
        let hugeTerm = String(repeating: "t", count: 100_000)
        let error = await #expect(throws: NGSIError.self) {
            try await JSONLDTestSupport.resolveOffline(JSONLDTestSupport.json(#"{"\#(hugeTerm)": 1}"#))
        }
        #expect((error?.detail.count ?? .max) < 500)
    }

    @Test func rejectsHugeArrays() async {
        let context = JSON.array(Array(repeating: ["a": "https://example.org/a"], count: 5_000))
        let error = await #expect(throws: NGSIError.self) { try await JSONLDTestSupport.resolveOffline(context) }
        #expect(error?.detail.contains("more than 1000 entries") == true)
    }

    @Test func rejectsTooManyTerms() async {
        let context = JSONLDTestSupport.object((0..<2_000).map { ("t\($0)", "https://example.org/t\($0)") })
        let error = await #expect(throws: NGSIError.self) {
            try await JSONLDContext.resolve(context, limits: .init(maxTermDefinitions: 1_000)) {
                url throws(NGSIError) in
                throw NGSIError(.ldContextNotAvailable, url)
            }
        }
        #expect(error?.detail.contains("too many terms") == true)
    }

    @Test func rejectsDeepDefinitionChains() async {
        // t0 → t1:x/, t1 → t2:x/, …: each term needs the next one defined first.
        let object = JSONLDTestSupport.object(
            (0..<5_000).map { ("t\($0)", "t\($0 + 1):x/") } + [("t5000", "https://example.org/")]
        )
        let error = await #expect(throws: NGSIError.self) { try await JSONLDTestSupport.resolveOffline(object) }
        #expect(error?.detail.contains("more than 32 levels deep") == true)
    }

    @Test func acceptsShallowDefinitionChains() async throws {
        let object = JSONLDTestSupport.object(
            (0..<20).map { ("t\($0)", "t\($0 + 1):x/") } + [("t20", "https://example.org/")]
        )
        let context = try await JSONLDTestSupport.resolveOffline(object)
        #expect(context.expandTerm("t0") == "https://example.org/" + String(repeating: "x/", count: 20))
    }

    @Test func toleratesScopedContextsOnCoreTerms() async throws {
        // A copy of a core context served from elsewhere carries the core's scoped context (v1.9 `ngsildproof`).
        let context = try await JSONLDTestSupport.resolveOffline(
            JSONParser.parse(NGSILDCoreContext.v1_9.text)["@context"] ?? .null
        )
        #expect(context.expandTerm("ngsildproof") == "https://uri.etsi.org/ngsi-ld/ngsildproof")
    }
}
