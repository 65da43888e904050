import Foundation
import MachiCore
import OrderedCollections
import Testing

/// The scope in the temporal evolution (4.18): valid from when it was set until it is replaced or removed.
@Suite struct TemporalScopeTests {
    static func time(_ text: String) -> Date { DateTimeText.parse("2026-03-01T\(text):00Z")! }

    static func instance(_ sequence: Int64, _ name: String, _ value: JSON, at time: String) -> AttributeInstance {
        AttributeInstance(
            name: name,
            sequence: sequence,
            attribute: Attribute(members: [
                "type": "Property", "value": value, "observedAt": .string("2026-03-01T\(time):00Z"),
            ]),
            createdAt: Self.time("09:00"),
            modifiedAt: Self.time("09:00")
        )
    }

    /// Scope /R from 10:00, replaced by /S at 12:30; speed observed at 12:15 and 12:45.
    static let replaced = TemporalEntity(
        id: "urn:ngsi-ld:Vehicle:rep",
        types: ["https://example.org/Vehicle"],
        instances: [
            TemporalScope.name: [
                instance(1, TemporalScope.name, "/R", at: "10:00"), instance(2, TemporalScope.name, "/S", at: "12:30"),
            ],
            "https://example.org/speed": [
                instance(3, "https://example.org/speed", "old", at: "12:15"),
                instance(4, "https://example.org/speed", "new", at: "12:45"),
            ],
        ]
    )

    static func window() -> TemporalQuery {
        var query = TemporalQuery()
        query.relation = .between(time("12:00"), time("13:00"))
        return query
    }

    @Test func aReplacedScopeIsValidUntilItsReplacement() throws {
        let old = try #require(TemporalScope.restrict(Self.replaced, to: .scope("/R"), Self.window()))
        #expect(old.instances["https://example.org/speed"]?.map(\.attribute.value) == ["old"])
        let new = try #require(TemporalScope.restrict(Self.replaced, to: .scope("/S"), Self.window()))
        #expect(new.instances["https://example.org/speed"]?.map(\.attribute.value) == ["new"])
        #expect(TemporalScope.restrict(Self.replaced, to: .scope("/T"), Self.window()) == nil)
    }

    @Test func aScopeSetAfterTheWindowNeverMatches() {
        var query = TemporalQuery()
        query.relation = .before(Self.time("10:00"))
        #expect(TemporalScope.restrict(Self.replaced, to: .scope("/R"), query) == nil)
    }

    @Test func aScopeSetBeforeTheWindowIsShownWithIt() {
        let shown = TemporalScope.select(Self.replaced.instances[TemporalScope.name] ?? [], Self.window().relation)
        #expect(shown.map(\.sequence) == [1, 2])
        var later = TemporalQuery()
        later.relation = .after(Self.time("12:40"))
        #expect(
            TemporalScope.select(Self.replaced.instances[TemporalScope.name] ?? [], later.relation).map(\.sequence) == [
                2
            ]
        )
    }

    @Test func removingTheScopeEndsItsValidity() {
        let removal = AttributeInstance(
            name: TemporalScope.name,
            sequence: 2,
            attribute: TemporalScope.instance([], at: Self.time("11:00")),
            createdAt: Self.time("11:00"),
            modifiedAt: Self.time("11:00")
        )
        let validities = TemporalScope.validities([Self.instance(1, TemporalScope.name, "/R", at: "10:00"), removal])
        #expect(
            validities == [TemporalScope.Validity(scopes: ["/R"], start: Self.time("10:00"), end: Self.time("11:00"))]
        )
    }
}
