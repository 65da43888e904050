import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import MachiHTTP
import NIOCore
import Testing

/// Subscriptions on the real server (port 0, live mode, so the notifier runs) against real HTTP receivers.
@Suite struct SubscriptionNotificationTests {
    static let tenantHeader = HTTPField.Name("NGSILD-Tenant")!

    /// Boots Machi on a temporary directory and hands a client over.
    func withLiveMachi(_ body: @Sendable (MachiClient) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("machi-sub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = AppConfiguration(
            host: "127.0.0.1",
            port: 0,
            dataDirectory: directory.path,
            contextFetchEnabled: false,
            authMode: .open
        )
        let app = try await MachiServer.buildApplication(configuration: configuration, logger: Logger(label: "test"))
        try await app.test(.live) { client in try await body(MachiClient(client: client)) }
    }

    static func subscription(to url: String, extra: String = "", endpointExtra: String = "") -> String {
        """
        {"type": "Subscription", "entities": [{"type": "WaterObserved"}], \(extra)
         "notification": {"format": "keyValues", "endpoint": {"uri": "\(url)" \(endpointExtra)}}}
        """
    }

    static func patchHeight(_ client: MachiClient, _ height: Double, tenant: [String: String] = [:]) async throws {
        let reply = try await client.send(
            .patch,
            "/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:sub/attrs",
            body: #"{"height": {"type": "Property", "value": \#(height)}}"#,
            headers: tenant
        )
        #expect(reply.status == 204)
    }

    @Test func aChangeIsNotifiedWithTheSpecifiedBodyAndHeaders() async throws {
        try await NotificationReceiver.run { receiver in
            try await withLiveMachi { client in
                let tenant = ["NGSILD-Tenant": "okaya"]
                let created = try await client.post(
                    "/ngsi-ld/v1/subscriptions",
                    Self.subscription(
                        to: receiver.url,
                        extra: #""watchedAttributes": ["height"],"#,
                        endpointExtra: #", "receiverInfo": [{"key": "X-City-Key", "value": "shiojiri"}]"#
                    ),
                    headers: tenant
                )
                #expect(created.status == 201)
                let location = try #require(created.headers[.location])
                _ = try await client.post(
                    "/ngsi-ld/v1/entities",
                    waterObserved("urn:ngsi-ld:WaterObserved:sub", height: 1.5),
                    headers: tenant
                )
                try await Self.patchHeight(client, 2.75, tenant: tenant)
                let entities = try await receiver.waitForEntities(2)
                try #require(entities.count == 2)
                let last = try #require(receiver.notifications.last)
                #expect(last.body["type"] == "Notification")
                #expect(last.body["subscriptionId"]?.stringValue.map { location.hasSuffix($0) } == true)
                #expect(last.body["notifiedAt"]?.stringValue.map(DateTimeText.isValid) == true)
                #expect(entities.last?["height"] == 2.75)
                #expect(entities.last?["id"] == "urn:ngsi-ld:WaterObserved:sub")
                #expect(last.headers[Self.tenantHeader] == "okaya")
                #expect(last.headers[HTTPField.Name("X-City-Key")!] == "shiojiri")
                #expect(last.headers[.contentType] == "application/json")
                #expect(last.headers[HTTPField.Name("Link")!]?.contains("ngsi-ld-core-context") == true)

                // The status the notifier keeps is served with the subscription.
                let read = try await client.get(location, headers: tenant)
                let notification = read.json["notification"]
                #expect(notification?["timesSent"]?.numberValue.map(Int.init) == receiver.notifications.count)
                #expect(notification?["status"] == "ok")
                // Another tenant sees nothing of it.
                #expect(try await client.get(location).status == 404)
            }
        }
    }

    @Test func unwatchedChangesAndNonMatchingQAreNotNotified() async throws {
        try await NotificationReceiver.run { receiver in
            try await withLiveMachi { client in
                _ = try await client.post(
                    "/ngsi-ld/v1/subscriptions",
                    Self.subscription(to: receiver.url, extra: #""watchedAttributes": ["height"], "q": "height>2","#)
                )
                _ = try await client.post(
                    "/ngsi-ld/v1/entities",
                    waterObserved("urn:ngsi-ld:WaterObserved:sub", height: 1)
                )
                try await Self.patchHeight(client, 1.5)  // q false
                _ = try await client.send(
                    .patch,
                    "/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:sub/attrs",
                    body: #"{"flow": {"type": "Property", "value": 3}}"#
                )  // not watched
                try await Self.patchHeight(client, 2.5)  // notifies
                let got = try await receiver.waitFor(1)
                try await Task.sleep(for: .milliseconds(500))
                #expect(receiver.notifications.count == 1)
                #expect(got.first?.body["data"]?.arrayValue?.first?["height"] == 2.5)
            }
        }
    }

    @Test func aDeadEndpointDoesNotDelayAnotherSubscriber() async throws {
        try await NotificationReceiver.run(.neverAnswer) { dead in
            try await NotificationReceiver.run { live in
                try await withLiveMachi { client in
                    _ = try await client.post("/ngsi-ld/v1/subscriptions", Self.subscription(to: dead.url))
                    _ = try await client.post("/ngsi-ld/v1/subscriptions", Self.subscription(to: live.url))
                    _ = try await client.post(
                        "/ngsi-ld/v1/entities",
                        waterObserved("urn:ngsi-ld:WaterObserved:sub", height: 1)
                    )
                    let start = ContinuousClock.now
                    for height in [2.0, 3.0, 4.0] { try await Self.patchHeight(client, height) }
                    // Four changes (a notification may carry several of them).
                    let got = try await live.waitForEntities(4, timeout: .seconds(5))
                    #expect(got.count == 4, "the live endpoint got \(got.count) of 4 entities")
                    // Far below the dead endpoint's 10 s timeout: nothing waited for it.
                    if let last = live.notifications.last { #expect(last.at - start < .seconds(3)) }
                    #expect(dead.notifications.isEmpty)
                }
            }
        }
    }

    /// Subscriptions that share an endpoint still get their queued changes in few notifications, not one each.
    @Test func subscriptionsSharingAnEndpointAreBatched() async throws {
        try await NotificationReceiver.run { receiver in
            try await withLiveMachi { client in
                for _ in 0..<2 {
                    _ = try await client.post(
                        "/ngsi-ld/v1/subscriptions",
                        Self.subscription(to: receiver.url, extra: #""notificationTrigger": ["entityCreated"],"#)
                    )
                }
                let batch = (0..<50).map { waterObserved("urn:ngsi-ld:WaterObserved:b\($0)", height: 1) }
                let created = try await client.post(
                    "/ngsi-ld/v1/entityOperations/create",
                    "[" + batch.joined(separator: ",") + "]"
                )
                #expect(created.status == 201)
                let entities = try await receiver.waitForEntities(100)
                #expect(entities.count == 100)
                // Each notification carries one subscription's entities: far fewer than one per entity.
                #expect(receiver.notifications.count < 20, "\(receiver.notifications.count) notifications")
                for notification in receiver.notifications {
                    let ids = notification.body["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                    #expect(Set(ids).count == ids.count, "an entity twice in one notification")
                }
            }
        }
    }

    /// A dead endpoint with a large backlog still leaves the notifier free for everyone else: its queued entries
    /// wait in the store instead of filling every batch.
    @Test func aDeadEndpointsBacklogDoesNotStarveOthers() async throws {
        try await NotificationReceiver.run(.neverAnswer) { dead in
            try await NotificationReceiver.run { live in
                try await withLiveMachi { client in
                    _ = try await client.post(
                        "/ngsi-ld/v1/subscriptions",
                        #"{"type": "Subscription", "entities": [{"type": "Backlog"}], "notificationTrigger": ["entityCreated"], "notification": {"endpoint": {"uri": "\#(dead.url)"}}}"#
                    )
                    _ = try await client.post("/ngsi-ld/v1/subscriptions", Self.subscription(to: live.url))
                    for chunk in 0..<5 {
                        let batch = (0..<1000).map {
                            #"{"id": "urn:ngsi-ld:Backlog:\#(chunk)-\#($0)", "type": "Backlog"}"#
                        }
                        let created = try await client.post(
                            "/ngsi-ld/v1/entityOperations/create",
                            "[" + batch.joined(separator: ",") + "]"
                        )
                        #expect(created.status == 201)
                    }
                    try await Task.sleep(for: .milliseconds(500))  // the dead endpoint's first batch is in flight
                    let start = ContinuousClock.now
                    _ = try await client.post(
                        "/ngsi-ld/v1/entities",
                        waterObserved("urn:ngsi-ld:WaterObserved:sub", height: 1)
                    )
                    let got = try await live.waitForEntities(1, timeout: .seconds(8))
                    #expect(got.count == 1)
                    if let arrived = live.notifications.first?.at { #expect(arrived - start < .seconds(3)) }
                }
            }
        }
    }

    @Test func aFailedDeliveryIsRetriedAndRecorded() async throws {
        try await NotificationReceiver.run(.failFirst(1)) { receiver in
            try await withLiveMachi { client in
                let created = try await client.post("/ngsi-ld/v1/subscriptions", Self.subscription(to: receiver.url))
                let location = try #require(created.headers[.location])
                _ = try await client.post(
                    "/ngsi-ld/v1/entities",
                    waterObserved("urn:ngsi-ld:WaterObserved:sub", height: 1)
                )
                // First attempt answered 500; the retry after about a second succeeds.
                let got = try await receiver.waitFor(1, timeout: .seconds(6))
                #expect(got.count == 1)
                try await Task.sleep(for: .milliseconds(200))
                let notification = try await client.get(location).json["notification"]
                #expect(notification?["timesSent"] == 2)
                #expect(notification?["timesFailed"] == 1)
                #expect(notification?["status"] == "ok")
                #expect(notification?["lastFailure"] != nil)
            }
        }
    }

    @Test func aDeletedSubscriptionStopsNotifying() async throws {
        try await NotificationReceiver.run { receiver in
            try await withLiveMachi { client in
                let created = try await client.post("/ngsi-ld/v1/subscriptions", Self.subscription(to: receiver.url))
                let location = try #require(created.headers[.location])
                #expect(try await client.send(.delete, location).status == 204)
                #expect(try await client.get(location).status == 404)
                _ = try await client.post(
                    "/ngsi-ld/v1/entities",
                    waterObserved("urn:ngsi-ld:WaterObserved:sub", height: 1)
                )
                try await Task.sleep(for: .milliseconds(600))
                #expect(receiver.notifications.isEmpty)
            }
        }
    }
}
