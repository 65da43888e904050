import Foundation
import MachiCore
import OrderedCollections
import Testing

/// Subscription payloads (5.2.12): what is accepted, what is refused with BadRequestData, and the stored form.
struct SubscriptionDecoderTests {
    static let now = DateTimeText.parse("2026-11-21T12:00:00Z")!

    static func decode(_ text: String) throws(NGSIError) -> Subscription {
        guard case .object(let object) = try? JSONParser.parse(text) else { throw .invalidRequest("bad test JSON") }
        return try SubscriptionDecoder(expand: JSONLDContext.core.expandTerm, now: now).decode(
            object,
            generatedId: "urn:ngsi-ld:Subscription:generated",
            context: .null,
            createdAt: "2026-11-21T12:00:00Z"
        )
    }

    static let endpoint = #""notification": {"endpoint": {"uri": "http://receiver.example/notify"}}"#

    @Test func aMinimalSubscriptionGetsTheDefaults() throws {
        let subscription = try Self.decode(
            #"{"type": "Subscription", "entities": [{"type": "Building"}], \#(Self.endpoint)}"#
        )
        #expect(subscription.id == "urn:ngsi-ld:Subscription:generated")
        #expect(subscription.triggers == [.attributeCreated, .attributeUpdated])
        #expect(subscription.isActive)
        #expect(subscription.notification.format == .normalized)
        #expect(subscription.notification.endpoint.accept == "application/json")
        #expect(subscription.selectors?.first?.types == .type("https://uri.etsi.org/ngsi-ld/default-context/Building"))
        #expect(subscription.indexTypes == ["https://uri.etsi.org/ngsi-ld/default-context/Building"])
    }

    @Test func entityUpdatedMeansEveryAttributeTrigger() throws {
        let subscription = try Self.decode(
            #"{"type": "Subscription", "watchedAttributes": ["speed"], "notificationTrigger": ["entityUpdated"], \#(Self.endpoint)}"#
        )
        #expect(subscription.triggers.isSuperset(of: [.attributeCreated, .attributeUpdated, .attributeDeleted]))
        #expect(subscription.indexTypes == nil)
    }

    @Test(arguments: [
        ("no type", #"{"entities": [{"type": "A"}], \#(endpoint)}"#),
        ("no entities nor watchedAttributes", #"{"type": "Subscription", \#(endpoint)}"#),
        ("empty entities", #"{"type": "Subscription", "entities": [], \#(endpoint)}"#),
        ("id not a URI", #"{"type": "Subscription", "id": "not a uri", "entities": [{"type": "A"}], \#(endpoint)}"#),
        ("no notification", #"{"type": "Subscription", "entities": [{"type": "A"}]}"#),
        ("no endpoint", #"{"type": "Subscription", "entities": [{"type": "A"}], "notification": {}}"#),
        (
            "endpoint scheme",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "notification": {"endpoint": {"uri": "ftp://x/y"}}}"#
        ),
        (
            "timeInterval with watchedAttributes",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "watchedAttributes": ["a"], "timeInterval": 5, \#(endpoint)}"#
        ),
        (
            "negative throttling",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "throttling": -1, \#(endpoint)}"#
        ),
        (
            "throttling with timeInterval",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "throttling": 1, "timeInterval": 5, \#(endpoint)}"#
        ),
        (
            "unknown trigger",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "notificationTrigger": ["entityChanged"], \#(endpoint)}"#
        ),
        (
            "past expiresAt",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "expiresAt": "2000-01-01T00:00:00Z", \#(endpoint)}"#
        ),
        ("bad q", #"{"type": "Subscription", "entities": [{"type": "A"}], "q": "((", \#(endpoint)}"#),
        (
            "showChanges with keyValues",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "notification": {"format": "keyValues", "showChanges": true, "endpoint": {"uri": "http://r/n"}}}"#
        ),
        (
            "numeric receiverInfo value",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "notification": {"endpoint": {"uri": "http://r/n", "receiverInfo": [{"key": "K", "value": 42}]}}}"#
        ),
        (
            "empty attributes",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "notification": {"attributes": [], "endpoint": {"uri": "http://r/n"}}}"#
        ),
        (
            "pick with attributes",
            #"{"type": "Subscription", "entities": [{"type": "A"}], "notification": {"attributes": ["a"], "pick": ["a"], "endpoint": {"uri": "http://r/n"}}}"#
        ),
    ])
    func invalidPayloadsAreBadRequestData(_ case: (String, String)) {
        #expect(throws: NGSIError.badRequestData(""), "\(`case`.0)") { try Self.decode(`case`.1) }
    }

    @Test func unknownAndReadOnlyMembersAreNotKept() throws {
        let subscription = try Self.decode(
            #"{"type": "Subscription", "entities": [{"type": "A"}], "status": "expired", "__context": "x", "notification": {"endpoint": {"uri": "http://r/n"}, "timesSent": 42}}"#
        )
        #expect(subscription.document["status"] == nil)
        #expect(subscription.document["__context"] == nil)
        #expect(subscription.document["notification"]?["timesSent"] == nil)
    }

    @Test func theStoredFormDecodesWithoutTheOriginalContext() throws {
        // A context that maps `speed` somewhere else than the core context's default vocabulary.
        let expand: (String) -> String = {
            $0 == "speed" ? "https://vocab.example/speed" : JSONLDContext.core.expandTerm($0)
        }
        guard
            case .object(let object) = try JSONParser.parse(
                #"{"type": "Subscription", "entities": [{"type": "Vehicle"}], "watchedAttributes": ["speed"], "q": "speed>50", \#(Self.endpoint)}"#
            )
        else { return }
        let original = try SubscriptionDecoder(expand: expand, now: Self.now).decode(
            object,
            generatedId: "urn:ngsi-ld:Subscription:1",
            context: "https://vocab.example/context.jsonld",
            createdAt: "2026-11-21T12:00:00Z"
        )
        let stored = JSONWriter.string(of: original.storedForm)
        let restored = try Subscription(storedForm: JSONParser.parse(stored))
        #expect(restored.watchedAttributes == ["https://vocab.example/speed"])
        #expect(restored.q == original.q)
        #expect(restored.context == "https://vocab.example/context.jsonld")
        #expect(restored.document == original.document)
    }
}
