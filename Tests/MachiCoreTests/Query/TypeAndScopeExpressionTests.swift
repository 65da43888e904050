import MachiCore
import Testing

struct TypeAndScopeExpressionTests {
    static let validTypes: [(String, TypeExpression)] = [
        ("Building", .type("Building")),
        ("Building,House", .or([.type("Building"), .type("House")])),
        ("Building|House", .or([.type("Building"), .type("House")])),
        ("(Home;Vehicle)", .and([.type("Home"), .type("Vehicle")])),
        ("(Home;Vehicle)|Motorhome", .or([.and([.type("Home"), .type("Vehicle")]), .type("Motorhome")])),
        ("(Home;Vehicle),Motorhome", .or([.and([.type("Home"), .type("Vehicle")]), .type("Motorhome")])),
        ("Home;Vehicle|Motorhome", .or([.and([.type("Home"), .type("Vehicle")]), .type("Motorhome")])),
        ("https://uri.fiware.org/ns/dataModels#Building", .type("https://uri.fiware.org/ns/dataModels#Building")),
        ("urn:ngsi-ld:Type:X,schema:Place", .or([.type("urn:ngsi-ld:Type:X"), .type("schema:Place")])),
        ("*", .type("*")),
        ("駅", .type("駅")),
    ]

    @Test(arguments: validTypes)
    func parsesTypeExpression(_ text: String, _ expected: TypeExpression) throws {
        #expect(try TypeExpression.parse(text) == expected)
    }

    @Test(arguments: ["", ",", "A,", "(A;B", "A;B)", "()", "A B", "1Building", "http://a b", "A,*", "<A>"])
    func rejectsTypeExpression(_ text: String) {
        #expect(throws: NGSIError(.badRequestData, "")) { try TypeExpression.parse(text) }
    }

    static let typeMatches: [(String, [String], Bool)] = [
        ("Building", ["Building", "House"], true), ("Vehicle", ["Building"], false),
        ("(Home;Vehicle)", ["Home", "Vehicle"], true), ("(Home;Vehicle)", ["Home"], false),
        ("(Home;Vehicle)|Motorhome", ["Motorhome"], true), ("*", ["Anything"], true),
    ]

    @Test(arguments: typeMatches)
    func matchesTypes(_ text: String, _ types: [String], _ expected: Bool) throws {
        #expect(try TypeExpression.parse(text).matches(types) == expected)
    }

    @Test func expandsTypesButNotTheWildcard() throws {
        let expand = { (name: String) in "https://example.org/" + name }
        #expect(
            try TypeExpression.parse("(A;B)").expanded(expand)
                == .and([.type("https://example.org/A"), .type("https://example.org/B")])
        )
        #expect(try TypeExpression.parse("*").expanded(expand) == .type(TypeExpression.wildcard))
    }

    static let validScopes: [(String, ScopeExpression)] = [
        ("/Madrid", .scope("/Madrid")),
        ("/Madrid/Gardens/#", .scope("/Madrid/Gardens/#")),
        ("/Madrid/+/ParqueNorte", .scope("/Madrid/+/ParqueNorte")),
        ("/#", .scope("/#")),
        ("(/Madrid/Districts;/CompanyA)", .and([.scope("/Madrid/Districts"), .scope("/CompanyA")])),
        (
            "(/Madrid/Districts;/CompanyA)|CompanyB",
            .or([.and([.scope("/Madrid/Districts"), .scope("/CompanyA")]), .scope("/CompanyB")])
        ),
        (
            "(/Madrid/Districts;/CompanyA),/CompanyB",
            .or([.and([.scope("/Madrid/Districts"), .scope("/CompanyA")]), .scope("/CompanyB")])
        ),
        ("/a;/b|/c", .or([.and([.scope("/a"), .scope("/b")]), .scope("/c")])),
        ("/塩尻/駅前_1", .scope("/塩尻/駅前_1")),
    ]

    @Test(arguments: validScopes)
    func parsesScopeQuery(_ text: String, _ expected: ScopeExpression) throws {
        #expect(try ScopeExpression.parse(text) == expected)
    }

    @Test(arguments: [
        "", "/", "//a", "/a/", "/a#", "/#/a", "#", "/a/b c", "(/a", "/a)", "/1a", "/a/#/b", "/a;", "/a-b",
    ])
    func rejectsScopeQuery(_ text: String) {
        #expect(throws: NGSIError(.badRequestData, "")) { try ScopeExpression.parse(text) }
    }

    static let scopes = ["/Madrid/Gardens/ParqueNorte", "/CompanyA/OrganizationB/UnitC"]

    static let scopeMatches: [(String, [String], Bool)] = [
        ("/Madrid/Gardens/ParqueNorte", scopes, true), ("/Madrid/Gardens", scopes, false),
        ("/Madrid/+/ParqueNorte", scopes, true), ("/Madrid/+", scopes, false), ("/+/+/UnitC", scopes, true),
        ("/CompanyA/#", scopes, true), ("/Madrid/Gardens/ParqueNorte/#", scopes, true), ("/Spain/#", scopes, false),
        ("/#", scopes, true), ("/#", [], false), ("/Madrid", [], false),
        ("/Madrid/Gardens/ParqueNorte;/CompanyA/OrganizationB/UnitC", scopes, true),
        ("(/Madrid/Gardens/ParqueNorte;/Nowhere/AtAll)", scopes, false),
        ("/CompanyA/OrganizationB/UnitC|/Nowhere/AtAll", scopes, true), ("/Nowhere,/Madrid/#", scopes, true),
        ("/Madrid", ["Madrid"], true),
    ]

    @Test(arguments: scopeMatches)
    func matchesScopes(_ text: String, _ scopes: [String], _ expected: Bool) throws {
        #expect(try ScopeExpression.parse(text).matches(scopes) == expected)
    }
}
