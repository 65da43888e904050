import MachiCore
import OrderedCollections
import Testing

/// The NGSI-LD write semantics on `Entity`, without HTTP or storage.
@Suite struct EntityUpdateTests {
    let decoder = EntityDecoder(context: .core, now: "2026-11-21T10:00:00.000Z")
    let later = "2026-11-21T11:00:00.000Z"

    func entity(_ json: String) throws -> Entity { try decoder.entity(JSONParser.parse(json)) }
    func fragment(_ json: String, deletions: Bool = false) throws -> EntityFragment {
        try decoder.fragment(JSONParser.parse(json), nulls: deletions ? .merge : .reject)
    }
    func name(_ term: String) -> String { JSONLDContext.core.expandTerm(term) }

    @Test func decodingExpandsNamesAndStampsTimestamps() throws {
        let e = try entity(#"{"id": "urn:x:1", "type": "Road", "speed": {"type": "Property", "value": 40}}"#)
        #expect(e.types == ["https://uri.etsi.org/ngsi-ld/default-context/Road"])
        let speed = try #require(e.attribute(name("speed")))
        #expect(speed.value == 40)
        #expect(speed.members["createdAt"] == "2026-11-21T10:00:00.000Z")
        #expect(e.createdAt == "2026-11-21T10:00:00.000Z")
    }

    @Test(arguments: [
        (#"{"speed": 40}"#, AttributeKind.property),
        (#"{"speed": {"value": 40}}"#, .property),
        (#"{"owner": {"object": "urn:p:1"}}"#, .relationship),
        (#"{"location": {"type": "Point", "coordinates": [137.9, 36.1]}}"#, .geoProperty),
        (#"{"label": {"languageMap": {"ja": "塩尻", "en": "Shiojiri"}}}"#, .languageProperty),
        (#"{"category": {"vocab": "river"}}"#, .vocabProperty),
        (#"{"raw": {"json": {"any": [1, 2]}}}"#, .jsonProperty),
        (#"{"readings": {"valueList": [1, 2, 3]}}"#, .listProperty),
        (#"{"stops": {"objectList": [{"object": "urn:s:1"}]}}"#, .listRelationship),
    ])
    func conciseInputInfersTheKind(json: String, kind: AttributeKind) throws {
        let decoded = try fragment(json)
        #expect(decoded.attributes.values.first?.first?.kind == kind)
    }

    @Test func appendReplacesUnlessNoOverwrite() throws {
        var e = try entity(#"{"id": "urn:x:1", "type": "T", "a": 1}"#)
        let created = e.attribute(name("a"))?.members["createdAt"]
        let skipped = e.append(try fragment(#"{"a": 2, "b": 3}"#), overwrite: false, now: later)
        #expect(skipped == [name("a")])
        #expect(e.attribute(name("a"))?.value == 1)
        #expect(e.attribute(name("b"))?.value == 3)
        #expect(e.append(try fragment(#"{"a": 5}"#), overwrite: true, now: later).isEmpty)
        #expect(e.attribute(name("a"))?.value == 5)
        #expect(e.attribute(name("a"))?.members["createdAt"] == created, "an overwrite keeps the instance's createdAt")
        #expect(e.modifiedAt == later)
    }

    @Test func updateReplacesWholeInstancesAndDeletesNgsiLdNulls() throws {
        var e = try entity(#"{"id": "urn:x:1", "type": "T", "a": {"value": 1, "unitCode": "MTR"}, "b": 2}"#)
        let update = try decoder.fragment(
            JSONParser.parse(#"{"a": {"value": 2}, "b": {"value": "urn:ngsi-ld:null"}, "z": 9}"#),
            nulls: .deleteAttributes
        )
        #expect(e.update(update, now: later).isEmpty)
        #expect(e.attribute(name("a"))?.value == 2)
        #expect(e.attribute(name("a"))?.unitCode == nil, "an update replaces the whole instance")
        #expect(e.attributes[name("b")] == nil)
        #expect(e.attribute(name("z"))?.value == 9)
    }

    @Test func updateReportsAScopeTheEntityLacks() throws {
        var e = try entity(#"{"id": "urn:x:1", "type": "T", "a": 1}"#)
        #expect(e.update(try fragment(#"{"scope": "/Madrid"}"#), now: later) == ["scope"])
        #expect(e.scopes.isEmpty)
    }

    @Test func mergeKeepsUnmentionedMembersAndDeletesNulls() throws {
        var e = try entity(#"{"id": "urn:x:1", "type": "T", "a": {"value": 1, "unitCode": "MTR"}, "b": 2}"#)
        e.merge(try fragment(#"{"a": {"value": 7}, "b": null, "c": 3}"#, deletions: true), now: later)
        #expect(e.attribute(name("a"))?.value == 7)
        #expect(e.attribute(name("a"))?.unitCode == "MTR")
        #expect(e.attributes[name("b")] == nil)
        #expect(e.attribute(name("c"))?.value == 3)
    }

    @Test func datasetIdsMakeSeparateInstances() throws {
        var e = try entity(
            #"{"id": "urn:x:1", "type": "T", "a": [{"value": 1}, {"value": 2, "datasetId": "urn:d:2"}]}"#
        )
        #expect(e.attributes[name("a")]?.count == 2)
        try e.deleteAttribute(name("a"), datasetId: "urn:d:2", deleteAll: false, now: later)
        #expect(e.attributes[name("a")]?.count == 1)
        #expect(throws: NGSIError.self) {
            try e.deleteAttribute(name("a"), datasetId: "urn:d:2", deleteAll: false, now: later)
        }
        try e.deleteAttribute(name("a"), datasetId: nil, deleteAll: true, now: later)
        #expect(e.attributes[name("a")] == nil)
    }

    @Test func duplicateDatasetIdsAreRejected() {
        #expect(throws: NGSIError.self) {
            try entity(#"{"id": "urn:x:1", "type": "T", "a": [{"value": 1}, {"value": 2}]}"#)
        }
    }

    @Test func replaceKeepsCreatedAt() throws {
        var e = try entity(#"{"id": "urn:x:1", "type": "T", "a": 1}"#)
        let replacement = try EntityDecoder(context: .core, now: later).entity(
            JSONParser.parse(#"{"id": "urn:x:1", "type": "T", "b": 2}"#)
        )
        e.replace(with: replacement, now: later)
        #expect(e.createdAt == "2026-11-21T10:00:00.000Z")
        #expect(e.attributes[name("a")] == nil)
        #expect(e.attribute(name("b"))?.value == 2)
    }

    @Test func encoderCompactsAndProjects() throws {
        let e = try entity(
            #"{"id": "urn:x:1", "type": "T", "a": {"value": 1, "observedAt": "2026-11-21T09:00:00Z"}, "b": 2}"#
        )
        let normalized = EntityEncoder(context: .core).encode(e)
        #expect(normalized["a"]?["observedAt"] == "2026-11-21T09:00:00Z")
        #expect(normalized["a"]?["createdAt"] == nil)
        let picked = EntityEncoder(context: .core, format: .keyValues, attributeSelection: [name("b")]).encode(e)
        #expect(picked["b"] == 2)
        #expect(picked["a"] == nil)
    }

    @Test func languagePropertyWithLangBecomesAProperty() throws {
        let e = try entity(#"{"id": "urn:x:1", "type": "T", "label": {"languageMap": {"ja": "塩尻", "en": "Shiojiri"}}}"#)
        let english = EntityEncoder(context: .core, lang: "en").encode(e)
        #expect(english["label"]?["value"] == "Shiojiri")
        #expect(english["label"]?["lang"] == "en")
        #expect(english["label"]?["type"] == "Property")
    }
}
