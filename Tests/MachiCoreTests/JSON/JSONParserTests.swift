import MachiCore
import Testing

@Suite struct JSONParserTests {
    @Test(arguments: [
        (#"{"a":1}"#, #"{"a":1}"#),
        (#" [1, 2.5, -3e2, 0, -0.125] "#, "[1,2.5,-300,0,-0.125]"),
        (#""\u00e9\ud83d\ude00\n\"\\/""#, #""é😀\n\"\\/""#),
        (#"{"z":1,"a":2,"m":3}"#, #"{"z":1,"a":2,"m":3}"#),
        ("[true,false,null]", "[true,false,null]"),
        (#"{"nested":{"deeper":[{"x":[]}]}}"#, #"{"nested":{"deeper":[{"x":[]}]}}"#),
        (#""日本語""#, #""日本語""#),
    ])
    func parsesAndWritesBack(input: String, written: String) throws {
        #expect(try JSONParser.parse(input).description == written)
    }

    @Test(arguments: [
        "", "{", "[1,]", #"{"a":1,}"#, "{a:1}", "01", "1.", ".5", "-", "1e", "tru", "nul", #""abc"#, #""\x""#,
        #""\ud800""#, #""\udc00x""#, "\"tab\there\"", "[1 2]", #"{"a" 1}"#, "1 2", "NaN", "Infinity", "1e999",
        #"{"a":1,"a":2}"#,
    ])
    func rejectsInvalidJSON(input: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(input) }
    }

    @Test func rejectsNestingDeeperThanTheLimit() throws {
        let ok = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(try JSONParser.parse(ok, limits: .init(maxDepth: 10)).arrayValue != nil)
        let deep = String(repeating: "[", count: 11) + String(repeating: "]", count: 11)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep, limits: .init(maxDepth: 10)) }
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(hostile) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func failureSaysWhere() {
        do {
            _ = try JSONParser.parse(#"{"a": [1, 2, oops]}"#)
            Issue.record("expected a failure")
        } catch {
            #expect(error.offset == 13, "the offset of the 'o' of oops")
        }
    }

    @Test func writerEscapesControlCharacters() {
        let value: JSON = ["k": .string("a\u{01}b\"c\\d\ne")]
        #expect(value.description == #"{"k":"a\u0001b\"c\\d\ne"}"#)
        #expect((try? JSONParser.parse(value.description)) == value)
    }

    @Test func largeIntegersKeepTheirDigits() throws {
        #expect(try JSONParser.parse("9007199254740991").description == "9007199254740991")
        #expect(try JSONParser.parse("12345678901234567890").numberValue == Double("12345678901234567890"))
    }
}
