import Foundation
import MachiCore
import OrderedCollections
import Testing

/// Which changes notify which subscriptions, and why (5.8.6, notificationTrigger).
struct SubscriptionMatchingTests {
    static let now = DateTimeText.parse("2026-11-21T12:00:00Z")!
    static let vocabulary = "https://uri.etsi.org/ngsi-ld/default-context/"

    static func subscription(
        _ members: String,
        notification: String = #"{"endpoint": {"uri": "http://r/n"}}"#
    ) throws -> Subscription {
        guard
            case .object(let object) = try JSONParser.parse(
                #"{"type": "Subscription", \#(members), "notification": \#(notification)}"#
            )
        else { throw NGSIError.invalidRequest("bad test JSON") }
        return try SubscriptionDecoder(expand: JSONLDContext.core.expandTerm, now: now).decode(
            object,
            generatedId: "urn:ngsi-ld:Subscription:1",
            context: .null,
            createdAt: "2026-11-21T12:00:00Z"
        )
    }

    static func building(_ attributes: [String: Double], datasets: [String] = []) -> Entity {
        var entity = Entity(id: "urn:ngsi-ld:Building:1", types: [vocabulary + "Building"])
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            entity.attributes[vocabulary + name] = [Attribute(members: ["type": "Property", "value": .number(value)])]
        }
        for datasetId in datasets {
            entity.attributes[vocabulary + "height", default: []].append(
                Attribute(members: ["type": "Property", "value": 1, "datasetId": .string(datasetId)])
            )
        }
        return entity
    }

    @Test(
        arguments: [
            // (subscription members, before, after, expected reason)
            (#""entities": [{"type": "Building"}]"#, nil, ["height": 1], NotificationTrigger?.some(.attributeCreated)),
            (
                #""entities": [{"type": "Building"}], "notificationTrigger": ["entityCreated"]"#, nil, ["height": 1],
                .entityCreated
            ),
            (#""entities": [{"type": "Building"}]"#, ["height": 1], ["height": 2], .attributeUpdated),
            (#""entities": [{"type": "Building"}]"#, ["height": 1], ["height": 1, "flow": 3], .attributeCreated),
            (#""entities": [{"type": "Building"}]"#, ["height": 1, "flow": 3], ["height": 1], nil),
            (
                #""entities": [{"type": "Building"}], "notificationTrigger": ["attributeDeleted"]"#,
                ["height": 1, "flow": 3], ["height": 1], .attributeDeleted
            ),
            (#""entities": [{"type": "Building"}], "watchedAttributes": ["flow"]"#, ["height": 1], ["height": 2], nil),
            (#""entities": [{"type": "Building"}], "q": "height>5""#, ["height": 1], ["height": 2], nil),
            (#""entities": [{"type": "Building"}], "q": "height>5""#, ["height": 1], ["height": 6], .attributeUpdated),
            (#""entities": [{"type": "Vehicle"}]"#, ["height": 1], ["height": 2], nil),
            (#""entities": [{"type": "Building", "idPattern": ".*:2$"}]"#, ["height": 1], ["height": 2], nil),
            (#""entities": [{"type": "Building"}], "isActive": false"#, ["height": 1], ["height": 2], nil),
            (#""entities": [{"type": "Building"}], "timeInterval": 10"#, ["height": 1], ["height": 2], nil),
        ] as [(String, [String: Double]?, [String: Double]?, NotificationTrigger?)]
    )
    func reasons(
        _ members: String,
        _ before: [String: Double]?,
        _ after: [String: Double]?,
        _ expected: NotificationTrigger?
    )
        throws
    {
        let subscription = try Self.subscription(members)
        let cause = subscription.cause(
            before: before.map { Self.building($0) },
            after: after.map { Self.building($0) },
            at: Self.now
        )
        #expect(cause?.reason == expected)
    }

    @Test func deletingAnEntityNotifiesEntityDeletedWithoutItsAttributes() throws {
        let subscription = try Self.subscription(
            #""entities": [{"type": "Building"}], "notificationTrigger": ["entityDeleted"]"#
        )
        let cause = try #require(subscription.cause(before: Self.building(["height": 1]), after: nil, at: Self.now))
        #expect(cause.reason == .entityDeleted)
        #expect(cause.entityDeleted)
        let data = NotificationRenderer(subscription: subscription, context: .core).entities(for: cause, at: Self.now)
        #expect(Set(data[0].keys) == ["id", "type", "deletedAt"])
    }

    @Test func removingOneDatasetInstanceIsAnAttributeDeletion() throws {
        let subscription = try Self.subscription(
            #""entities": [{"type": "Building"}], "watchedAttributes": ["height"], "notificationTrigger": ["attributeDeleted"]"#
        )
        let before = Self.building(["height": 1], datasets: ["urn:ds:a", "urn:ds:b"])
        let after = Self.building(["height": 1], datasets: ["urn:ds:a"])
        let cause = try #require(subscription.cause(before: before, after: after, at: Self.now))
        #expect(cause.reason == .attributeDeleted)
        #expect(cause.deletedInstances == [.init(name: Self.vocabulary + "height", datasetId: "urn:ds:b")])
        let data = NotificationRenderer(subscription: subscription, context: .core).entities(for: cause, at: Self.now)
        let instances = try #require(data[0]["height"]?.arrayValue)
        #expect(instances.count == 3)
        #expect(instances.last?["datasetId"] == "urn:ds:b")
        #expect(instances.last?["value"] == "urn:ngsi-ld:null")
    }

    @Test func showChangesAddsThePreviousValue() throws {
        let withChanges = try Self.subscription(
            #""entities": [{"type": "Building"}]"#,
            notification: #"{"showChanges": true, "endpoint": {"uri": "http://r/n"}}"#
        )
        let cause = try #require(
            withChanges.cause(before: Self.building(["height": 1]), after: Self.building(["height": 2]), at: Self.now)
        )
        let data = NotificationRenderer(subscription: withChanges, context: .core).entities(for: cause, at: Self.now)
        #expect(data[0]["height"]?["previousValue"] == 1)
        #expect(data[0]["height"]?["value"] == 2)
    }

    @Test func anExpiredSubscriptionIsNotLive() throws {
        var subscription = try Self.subscription(#""entities": [{"type": "Building"}]"#)
        subscription.expiresAt = "2026-11-21T11:00:00Z"
        #expect(!subscription.isLive(at: Self.now))
        #expect(subscription.status(at: Self.now) == "expired")
        #expect(subscription.cause(before: nil, after: Self.building(["height": 1]), at: Self.now) == nil)
    }

    @Test func theOutboxPayloadRoundTrips() throws {
        let cause = NotificationCause(
            reason: .attributeDeleted,
            entity: Self.building(["height": 1]),
            previous: Self.building(["height": 1, "flow": 2]),
            deletedInstances: [.init(name: Self.vocabulary + "flow", datasetId: nil)],
            entityDeleted: false
        )
        let decoded = try NotificationCause(payload: JSONParser.parse(JSONWriter.string(of: cause.payload)))
        #expect(decoded.reason == cause.reason)
        #expect(decoded.entity == cause.entity)
        #expect(decoded.previous == cause.previous)
        #expect(decoded.deletedInstances == cause.deletedInstances)
    }
}
