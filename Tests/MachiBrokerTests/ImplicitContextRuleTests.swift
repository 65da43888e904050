import MachiBroker
import MachiCore
import Testing

/// When a subscription's @context needs an `ImplicitlyCreated` @context (ETSI GS CIM 009, 5.13.1).
struct ImplicitContextRuleTests {
    static let core = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"

    @Test(
        arguments: [
            (#""https://city.example/ctx.jsonld""#, false),
            (#"["https://city.example/ctx.jsonld"]"#, false),
            (#"["https://city.example/ctx.jsonld", "\#(core)"]"#, false),
            (#"["\#(core)"]"#, false),
            ("[]", false),
            ("null", false),
            (#"{"level": "urn:example:level"}"#, true),
            (#"[{"level": "urn:example:level"}]"#, true),
            (#"["https://city.example/a.jsonld", "https://city.example/b.jsonld"]"#, true),
            (#"["https://city.example/a.jsonld", {"level": "urn:example:level"}, "\#(core)"]"#, true),
        ]
    )
    func needsAnImplicitContext(context: String, expected: Bool) throws {
        let value = try JSONParser.parse(context)
        #expect(ContextResolver.needsImplicitContext(value) == expected)
    }
}
