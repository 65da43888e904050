import MachiCore
import OrderedCollections
import Testing

struct ProjectionAndOrderingTests {
    @Test func parsesNestedProjections() throws {
        let projection = try Projection.parse("id,locatedAt{id,name|isInCountry{description}}")
        #expect(projection.names == ["id", "locatedAt"])
        #expect(projection.depth == 2)
        #expect(projection.linked("locatedAt")?.names == ["id", "name", "isInCountry"])
        #expect(projection.linked("id") == nil)
    }

    @Test(arguments: ["", "id,,name", "id,locatedAt{name", "id,locatedAt{{name}", "a{,b}", "a{}", "id;name", "a||b"])
    func rejectsMalformedProjections(_ text: String) {
        #expect(throws: NGSIError(.badRequestData, "")) { try Projection.parse(text) }
    }

    func entity(_ id: String, _ name: JSON?) -> Entity {
        var attributes: OrderedDictionary<String, [Attribute]> = [:]
        if let name { attributes["name"] = [Attribute(members: ["type": "Property", "value": name])] }
        return Entity(id: id, types: ["T"], attributes: attributes)
    }

    @Test func ordersNumbersBeforeStringsAndAbsentLast() throws {
        let entities = [entity("urn:a:none", nil), entity("urn:a:text", "abc"), entity("urn:a:num", 5)]
        let ascending = try EntityOrdering.parse(["name"], reference: nil, collation: nil).sorted(entities)
        #expect(ascending.map(\.id) == ["urn:a:num", "urn:a:text", "urn:a:none"])
        let descending = try EntityOrdering.parse(["name;desc"], reference: nil, collation: nil).sorted(entities)
        #expect(descending.map(\.id) == ["urn:a:text", "urn:a:num", "urn:a:none"])
    }

    @Test func collationRanksAccentsWithTheirBaseLetter() throws {
        let entities = [entity("urn:a:1", "A"), entity("urn:a:2", "b"), entity("urn:a:3", "á")]
        let codePoint = try EntityOrdering.parse(["name"], reference: nil, collation: nil).sorted(entities)
        #expect(codePoint.map(\.id) == ["urn:a:1", "urn:a:2", "urn:a:3"])
        let root = try EntityOrdering.parse(["name"], reference: nil, collation: "und").sorted(entities)
        #expect(root.map(\.id) == ["urn:a:1", "urn:a:3", "urn:a:2"])
        #expect(throws: NGSIError(.badRequestData, "")) {
            try EntityOrdering.parse(["name"], reference: nil, collation: "not a tag")
        }
        #expect(throws: NGSIError(.badRequestData, "")) {
            try EntityOrdering.parse(["location;dist-asc"], reference: nil, collation: nil)
        }
    }

    @Test func languageLookupFollowsQualityAndTruncation() throws {
        let map: JSON = ["fr": "Grand Place", "nl": "Grote Markt", "en-US": "Main Square"]
        let attribute = Attribute(members: ["type": "LanguageProperty", "languageMap": map])
        let e = Entity(id: "urn:a:1", types: ["T"], attributes: ["street": [attribute]])
        func chosen(_ lang: String) -> JSON? { EntityEncoder(context: .core, lang: lang).encode(e)["street"]?["lang"] }
        #expect(chosen("fr;q=0.2,nl;q=0.9") == "nl")
        #expect(chosen("NL-be") == "nl")
        #expect(chosen("en") == "en-US")
        #expect(chosen("*") == "fr")
        #expect(chosen("pt") != nil)
    }
}
