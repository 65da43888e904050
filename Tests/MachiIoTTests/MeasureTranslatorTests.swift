import MachiCore
import MachiStore
import OrderedCollections
import Testing

@testable import MachiIoT

/// How measures become NGSI-LD attributes: types, units, device timestamps, and what must never be lost.
struct MeasureTranslatorTests {
    let translator = MeasureTranslator(context: .core)
    let now = "2026-11-22T10:00:05.000Z"

    func device(_ attributes: [AttributeMapping], statics: [AttributeMapping] = [], explicit: Bool? = nil) -> IoTDevice
    {
        var device = try! IoTDevice(
            ["device_id": "g1", "entity_type": "WaterObserved"],
            service: nil,
            servicePath: "/",
            group: nil
        )
        device.attributes = attributes
        device.staticAttributes = statics
        device.explicitAttrs = explicit
        return device
    }

    func expanded(_ name: String) -> String { JSONLDContext.core.expandTerm(name) }

    @Test func aMappedMeasureGetsItsNameTypeUnitAndTheDeviceTimestamp() throws {
        let mapping = AttributeMapping(
            objectId: "h",
            name: "height",
            type: "Number",
            metadata: ["unitCode": ["type": "Text", "value": "MTR"]]
        )
        let fragments = try translator.fragments(
            for: [MeasureGroup(timestamp: "2026-11-22T09:59:00+09:00", values: [("h", .text("2.31"))])],
            device: device([mapping]),
            group: nil,
            receivedAt: now
        )
        let attribute = try #require(fragments.first?.attributes[expanded("height")]?.first)
        #expect(attribute.value == .number(2.31))
        #expect(attribute.unitCode == "MTR")
        #expect(attribute.observedAt == "2026-11-22T00:59:00.000Z")
    }

    @Test func eachMeasureGroupIsItsOwnFragment() throws {
        let fragments = try translator.fragments(
            for: try UltraLight.decode("2026-11-22T09:00:00Z|h|1#2026-11-22T09:01:00Z|h|2"),
            device: device([AttributeMapping(objectId: "h", name: "height", type: "Number")]),
            group: nil,
            receivedAt: now
        )
        #expect(
            fragments.map { $0.attributes[expanded("height")]?.first?.observedAt } == [
                "2026-11-22T09:00:00.000Z", "2026-11-22T09:01:00.000Z",
            ]
        )
    }

    @Test(arguments: [
        ("Number", MeasureValue.text("7"), JSON.number(7)),
        ("Integer", .json(.number(3)), .number(3)),
        ("Boolean", .text("true"), .bool(true)),
        ("Boolean", .json(.bool(false)), .bool(false)),
        ("Text", .text("closed"), .string("closed")),
        (
            "DateTime", .text("2026-11-22T01:02:03Z"),
            JSON.object(["@type": "DateTime", "@value": "2026-11-22T01:02:03.000Z"])
        ),
        ("Object", .json(["a": 1]), JSON.object(["a": 1])),
    ])
    func propertyValuesFollowTheFIWAREType(type: String, value: MeasureValue, expected: JSON) throws {
        let json = try translator.attribute(AttributeMapping(name: "x", type: type), value: value, observedAt: nil)
        #expect(json["type"] == "Property")
        #expect(json["value"] == expected)
    }

    @Test func geometriesAndRelationships() throws {
        let point = try translator.attribute(
            AttributeMapping(name: "location", type: "geo:json"),
            value: .text("137.95, 36.11"),
            observedAt: nil
        )
        #expect(point == ["type": "GeoProperty", "value": ["type": "Point", "coordinates": [137.95, 36.11]]])
        let latitudeFirst = try translator.attribute(
            AttributeMapping(name: "location", type: "geo:point"),
            value: .text("36.11,137.95"),
            observedAt: nil
        )
        #expect(latitudeFirst["value"]?["coordinates"] == [137.95, 36.11])
        let relationship = try translator.attribute(
            AttributeMapping(name: "refRoad", type: "Relationship"),
            value: .text("urn:ngsi-ld:Road:1"),
            observedAt: nil
        )
        #expect(relationship == ["type": "Relationship", "object": "urn:ngsi-ld:Road:1"])
    }

    @Test(arguments: [
        ("Number", MeasureValue.text("high")), ("Boolean", .text("yes")), ("DateTime", .text("noon")),
        ("geo:json", .text("1")), ("Relationship", .json(.number(1))), ("Text", .json(.null)),
    ])
    func valuesThatDoNotFitAreRefused(type: String, value: MeasureValue) {
        #expect(throws: IoTError(.badPayload, "")) {
            try translator.attribute(AttributeMapping(name: "x", type: type), value: value, observedAt: nil)
        }
    }

    @Test func unmappedMeasuresAreKeptUnlessAttributesAreExplicit() throws {
        let groups = [MeasureGroup(values: [("h", .text("1")), ("extra", .text("v"))])]
        let mapping = AttributeMapping(objectId: "h", name: "height", type: "Number")
        let open = try translator.fragments(for: groups, device: device([mapping]), group: nil, receivedAt: now)
        #expect(Set(open[0].attributes.keys) == [expanded("height"), expanded("extra")])
        let explicit = try translator.fragments(
            for: groups,
            device: device([mapping], explicit: true),
            group: nil,
            receivedAt: now
        )
        #expect(Array(explicit[0].attributes.keys) == [expanded("height")])
    }

    @Test func staticAttributesAndOtherAttributesSurviveMeasures() throws {
        let statics = [AttributeMapping(name: "name", type: "Text", value: "Narai gauge")]
        let device = device([AttributeMapping(objectId: "h", name: "height", type: "Number")], statics: statics)
        let initial = try translator.initialEntity(for: device, group: nil, now: now)
        var stored = initial
        stored.attributes[expanded("note")] = [
            Attribute(members: ["type": "Property", "value": "added by an operator"])
        ]
        stored.attributes.removeValue(forKey: expanded("name"))  // an old entity from before the static attribute
        let fragment = try translator.fragments(
            for: [MeasureGroup(values: [("h", .text("3"))])],
            device: device,
            group: nil,
            receivedAt: now
        )[0]
        let updated = try #require(
            try MeasureTranslator.change(entity: initial, fragment: fragment, now: now).apply(stored)
        )
        #expect(updated.attribute(expanded("height"))?.value == .number(3))
        #expect(updated.attribute(expanded("name"))?.value == "Narai gauge")
        #expect(updated.attribute(expanded("note"))?.value == "added by an operator")
    }

    /// A device's initial entity is decoded once when it has only its id and type, and still carries each
    /// message's time; one with static or command attributes is decoded every time.
    @Test(arguments: [false, true])
    func initialEntitiesAreThoseTheTranslatorMakes(withStatics: Bool) throws {
        let statics = withStatics ? [AttributeMapping(name: "name", type: "Text", value: "Narai gauge")] : []
        let device = device([AttributeMapping(objectId: "h", name: "height", type: "Number")], statics: statics)
        let entities = InitialEntities(translator: translator)
        let later = "2026-11-22T10:00:09.000Z"
        let first = try entities.entity(for: device, group: nil, now: now)
        let second = try entities.entity(for: device, group: nil, now: later)
        #expect(first == (try translator.initialEntity(for: device, group: nil, now: now)))
        #expect(second == (try translator.initialEntity(for: device, group: nil, now: later)))
        #expect(second.createdAt == later)
    }

    @Test func aDeviceEntityCarriesItsCommandsWithUnknownStatus() throws {
        var device = device([])
        device.commands = [AttributeMapping(name: "reset", type: "command")]
        let entity = try translator.initialEntity(for: device, group: nil, now: now)
        #expect(entity.attribute(expanded("reset_status"))?.value == "UNKNOWN")
        #expect(entity.attribute(expanded("reset")) != nil)
    }

    @Test func aStaticAttributeThatIsNotValidNGSILDRefusesTheDevice() {
        let bad = device(
            [],
            statics: [
                AttributeMapping(
                    name: "location",
                    type: "geo:json",
                    value: ["type": "Point", "coordinates": [500, 1]]
                )
            ]
        )
        #expect(throws: IoTError(.wrongSyntax, "")) { try translator.initialEntity(for: bad, group: nil, now: now) }
    }

    @Test(arguments: [
        (
            AttributeMapping(
                objectId: "h",
                name: "height",
                type: "Number",
                metadata: ["unitCode": ["type": "Text", "value": "MTR"]]
            ), MeasureValue.text("2.5")
        ),
        (AttributeMapping(name: "open", type: "Boolean"), .text("true")),
        (AttributeMapping(name: "label", type: "Text"), .text("Narai")),
        (AttributeMapping(name: "count", type: "Integer"), .json(.number(3))),
    ])
    func theDirectPathBuildsWhatTheDecoderBuilds(mapping: AttributeMapping, value: MeasureValue) throws {
        let direct = try #require(
            try translator.plainProperty(mapping, value: value, observedAt: "2026-11-22T00:00:00.000Z", now: now)
        )
        let json = try translator.attribute(mapping, value: value, observedAt: "2026-11-22T00:00:00.000Z")
        let decoded = try EntityDecoder(context: .core, now: now).fragment(
            .object([mapping.name: json]),
            nulls: .reject
        )
        #expect(decoded.attributes[expanded(mapping.name)] == [direct])
    }

    @Test(arguments: [
        (AttributeMapping(name: "type", type: "Text"), MeasureValue.text("x")),
        (AttributeMapping(name: "a b", type: "Text"), .text("x")),
        (AttributeMapping(name: "t", type: "Text"), .text("")),
        (AttributeMapping(name: "loc", type: "geo:json"), .text("1,2")),
        (
            AttributeMapping(name: "t", type: "Number", metadata: ["accuracy": ["type": "Number", "value": 0.1]]),
            .text("1")
        ),
    ])
    func unusualNamesAndValuesTakeTheDecoderPath(mapping: AttributeMapping, value: MeasureValue) throws {
        #expect(try translator.plainProperty(mapping, value: value, observedAt: nil, now: now) == nil)
    }
}
