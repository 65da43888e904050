import MachiCore
import OrderedCollections
import Testing

/// Payload validation and the NGSI-LD Null in `EntityDecoder` and the write semantics (ETSI GS CIM 009, 4.5–4.7, 5.5).
@Suite struct EntityDecoderValidationTests {
    let decoder = EntityDecoder(context: .core, now: "2026-11-21T10:00:00.000Z")
    let later = "2026-11-21T11:00:00.000Z"

    func entity(_ json: String) throws -> Entity { try decoder.entity(JSONParser.parse(json)) }
    func name(_ term: String) -> String { JSONLDContext.core.expandTerm(term) }
    func rejects(_ json: String) -> Bool {
        do {
            _ = try entity(json)
            return false
        } catch let error as NGSIError {
            return error.code == .badRequestData
        } catch {
            return false
        }
    }

    @Test(arguments: [0x202E, 0x200B, 0xFEFF, 0xFE0F, 0xE0100, 0xFDD0, 0xFFFE, 0x3164, 0x2800] as [UInt32])
    func entityIdsWithInvisibleCharactersAreRejected(codepoint: UInt32) throws {
        let character = String(try #require(Unicode.Scalar(codepoint)))
        #expect(rejects(#"{"id": "urn:ngsi-ld:Vehicle:A\#(character)B", "type": "Vehicle"}"#))
    }

    @Test func entityIdsMayUseIRICharactersButNotTheNull() throws {
        #expect(try entity(#"{"id": "urn:ngsi-ld:Ciudad:París", "type": "City"}"#).id == "urn:ngsi-ld:Ciudad:París")
        #expect(rejects(#"{"id": "urn:ngsi-ld:null", "type": "City"}"#))
    }

    @Test(arguments: [
        #"{"speed": {"type": "Property", "value": 1, "object": "urn:x:2"}}"#,
        #"{"speed": {"type": "Property", "value": 1, "previousValue": 0}}"#,
        #"{"speed": {"type": "Property", "value": 1, "entityIdSealed": "urn:x:1"}}"#,
        #"{"speed": {"type": "Property", "value": 1, "@context": {"speed": "https://evil.example/speed"}}}"#,
        #"{"owner": {"type": "Relationship", "object": "urn:p:1", "unitCode": "MTR"}}"#,
        #"{"owner": {"type": "Relationship", "object": "urn:p:1", "value": 42}}"#,
        #"{"raw": {"type": "JsonProperty", "json": 5}}"#,
        #"{"raw": {"type": "JsonProperty", "json": {"a": 1}, "unitCode": "MTR"}}"#,
        #"{"list": {"type": "ListProperty", "valueList": [1], "value": 3}}"#,
        #"{"label": {"type": "LanguageProperty", "languageMap": {"": "x"}}}"#,
        #"{"label": {"type": "LanguageProperty", "languageMap": {"en": "x"}, "valueType": "xsd:string"}}"#,
        #"{"label": {"type": "LanguageProperty", "languageMap": {"@none": "urn:ngsi-ld:null"}}}"#,
        #"{"speed": {"type": "Property", "value": 3, "observedAt": "2026-08-10T12:00:00+02:00"}}"#,
        #"{"speed": {"type": "Property", "value": "urn:ngsi-ld:null"}}"#,
        #"{"speed": {"type": "Property", "value": {"a": {"b": "urn:ngsi-ld:null"}}}}"#,
        #"{"speed": {"type": "Property", "value": 1, "sub": {"type": "Property", "value": "urn:ngsi-ld:null"}}}"#,
        #"{"location": {"type": "Property", "value": 7}}"#,
        #"{"location": {"type": "GeoProperty", "value": "not a geometry"}}"#,
        #"{"datasetId": {"type": "Property", "value": 1}}"#,
        #"{"my attr": 1}"#,
        #"{"ngsildproof": {"type": "Property", "value": "not-a-proof"}}"#,
    ])
    func invalidAttributesAreBadRequestData(attributes: String) {
        #expect(rejects(#"{"id": "urn:x:1", "type": "Vehicle", \#(attributes.dropFirst())"#))
    }

    @Test func entityTypesMustBeNames() {
        #expect(rejects(#"{"id": "urn:x:1", "type": "9Vehicle"}"#))
        #expect(rejects(#"{"id": "urn:x:1", "type": "type"}"#))
    }

    @Test func inputIsNormalized() throws {
        let e = try entity(
            #"""
            {"id": "urn:x:1", "type": "T",
             "speed": [{"value": 55, "datasetId": "@none"}, {"value": 11, "datasetId": "urn:d:gps"}],
             "area": {"value": {"type": "Point", "coordinates": [1, 2]}},
             "location": {"type": "GeoProperty", "value": "{\"type\": \"Point\", \"coordinates\": [17.1, 48.7]}"},
             "route": {"type": "ListRelationship", "objectList": ["urn:r:1", {"object": "urn:r:2"}]}}
            """#
        )
        #expect(e.attributes[name("speed")]?.map(\.datasetId) == [nil, "urn:d:gps"])
        #expect(e.attribute(name("area"))?.kind == .geoProperty)
        #expect(e.attribute(name("location"))?.value?["type"] == "Point")
        #expect(e.attribute(name("route"))?.members["objectList"] == [["object": "urn:r:1"], ["object": "urn:r:2"]])
    }

    @Test func theProofKeepsItsSealedMembers() throws {
        let e = try entity(
            #"{"id": "urn:x:1", "type": "T", "ngsildproof": {"type": "Property", "entityIdSealed": "urn:x:1", "entityTypeSealed": "T", "value": {"type": "DataIntegrityProof"}}}"#
        )
        #expect(e.attribute(name("ngsildproof"))?.members["entityIdSealed"] == "urn:x:1")
    }

    @Test func expiresAtIsRefusedRatherThanIgnored() {
        #expect(throws: NGSIError(.operationNotSupported, "")) {
            try entity(#"{"id": "urn:x:1", "type": "T", "expiresAt": "2100-01-01T00:00:00Z"}"#)
        }
        #expect(rejects(#"{"id": "urn:x:1", "type": "T", "a": {"value": 1, "expiresAt": "not-a-date"}}"#))
    }

    @Test func partialUpdateOverwritesOnlyTheGivenMembers() throws {
        var e = try entity(#"{"id": "urn:x:1", "type": "T", "t": {"value": 25, "unitCode": "CEL"}}"#)
        let patch = try decoder.attributePatch(
            named: name("t"),
            JSONParser.parse(#"{"type": "Property", "value": 100, "observedAt": "2022-03-14T13:00:00.000Z"}"#)
        )
        try e.patchAttribute(patch, using: decoder, now: later)
        #expect(e.attribute(name("t"))?.value == 100)
        #expect(e.attribute(name("t"))?.unitCode == "CEL")
        let wrongKind = try decoder.attributePatch(
            named: name("t"),
            JSONParser.parse(#"{"type": "Relationship", "object": "urn:x:2"}"#)
        )
        #expect(throws: NGSIError.self) { try e.patchAttribute(wrongKind, using: decoder, now: later) }
        let nested = try decoder.attributePatch(
            named: name("t"),
            JSONParser.parse(#"{"value": {"a": "urn:ngsi-ld:null"}}"#)
        )
        #expect(throws: NGSIError.self) { try e.patchAttribute(nested, using: decoder, now: later) }
        let deletion = try decoder.attributePatch(named: name("t"), JSONParser.parse(#"{"value": "urn:ngsi-ld:null"}"#))
        try e.patchAttribute(deletion, using: decoder, now: later)
        #expect(e.attributes[name("t")] == nil)
    }

    @Test func mergeDeletesInstancesAndPatchesCompoundValues() throws {
        var e = try entity(
            #"""
            {"id": "urn:x:1", "type": "T",
             "name": [{"value": "a", "datasetId": "urn:d:1"}, {"value": "b", "datasetId": "urn:d:2"}],
             "address": {"value": {"street": "S", "city": "Berlin", "country": "Germany"}}}
            """#
        )
        let fragment = try decoder.fragment(
            JSONParser.parse(
                #"""
                {"name": {"type": "Property", "value": "urn:ngsi-ld:null", "datasetId": "urn:d:1"},
                 "address": {"type": "Property", "value": {"street": "P", "country": "urn:ngsi-ld:null"}}}
                """#
            ),
            nulls: .merge
        )
        e.merge(fragment, now: later)
        #expect(e.attributes[name("name")]?.map(\.datasetId) == ["urn:d:2"])
        #expect(e.attribute(name("address"))?.value == ["street": "P", "city": "Berlin"])
    }

    @Test func aNullValueMemberIsNeverADeletion() {
        #expect(throws: NGSIError.self) {
            try decoder.fragment(JSONParser.parse(#"{"a": {"type": "Property", "value": null}}"#), nulls: .merge)
        }
    }
}
