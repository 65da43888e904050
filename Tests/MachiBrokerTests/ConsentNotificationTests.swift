import Foundation
import MachiBroker
import MachiCore
import MachiSQLite
import MachiStore
import OrderedCollections
import Synchronization
import Testing

/// A subscription delivers personal data as its creator may read it, consulting consents at every delivery: a
/// revocation stops the very next notification.
@Suite struct ConsentNotificationTests {
    typealias Fixture = ConsentTests

    /// Keeps every notification, by subscription id.
    final class Receiver: NotificationTransport {
        private let received = Mutex<[String: [OutgoingNotification]]>([:])
        func send(_ notification: OutgoingNotification) async throws(DeliveryError) {
            received.withLock { $0[notification.subscriptionId, default: []].append(notification) }
        }
        func count(_ subscription: String) -> Int { received.withLock { $0[subscription]?.count ?? 0 } }
        func waitFor(_ count: Int, of subscription: String) async throws {
            let deadline = ContinuousClock.now + .seconds(20)
            while self.count(subscription) < count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(self.count(subscription) >= count, "\(subscription) got \(self.count(subscription)) of \(count)")
        }
    }

    @Test func revokingAConsentStopsTheNextDelivery() async throws {
        let fixture = try ConsentTests()
        try await fixture.seed()
        let store = fixture.store
        let receiver = Receiver()
        let broker = NotifyingBroker(store: store, transport: receiver, consents: fixture.consents)
        let (notifier, subscriptions) = (broker.notifier, broker.subscriptions)
        func subscribe(_ id: String, as principal: Principal, purpose: String?) async throws {
            let document: JSONObject = [
                "id": .string(id), "type": "Subscription",
                "entities": [["type": "MaternalHandbookRecord"]],
                "notification": ["endpoint": ["uri": "http://receiver.invalid/notify"]],
            ]
            let subscription = try subscriptions.decoder(expand: { JSONLDContext.core.expandTerm($0) })
                .decode(document, generatedId: id, context: .null, createdAt: subscriptions.timestamp())
            try await subscriptions.create(subscription, in: Fixture.context(principal, purpose: purpose))
        }
        let hanako = Fixture.person(Fixture.hanako)
        try await subscribe("urn:ngsi-ld:Subscription:own", as: hanako, purpose: nil)
        try await subscribe("urn:ngsi-ld:Subscription:app", as: Fixture.app, purpose: "checkup")

        let system = BrokerContext(tenant: "city", requestId: "w", principal: .system("test"))
        var weight = 3.2
        /// Rewrites Hanako's record and waits for her own subscription to hear of it (the app's, if it may, is
        /// delivered in the same round).
        func rewrite(expectingOwn count: Int, app: Int) async throws {
            weight += 0.1
            let record = Fixture.record("urn:ngsi-ld:MaternalHandbookRecord:h1", owner: Fixture.hanako, weight: weight)
            _ = try await fixture.entities.applyOne(EntityChange(id: record.id, apply: { _ in record }), in: system)
            try await receiver.waitFor(count, of: "urn:ngsi-ld:Subscription:own")
            // Every due notification handled (sent, or dropped for want of consent) once the outbox is empty.
            let deadline = ContinuousClock.now + .seconds(20)
            while try await store.tableRowCounts(tenant: "city")?["outbox"] ?? 0 > 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(receiver.count("urn:ngsi-ld:Subscription:app") == app)
        }

        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await notifier.run() }
            try await rewrite(expectingOwn: 1, app: 0)  // no consent yet

            let asked = try await fixture.ask()
            _ = try await fixture.consents.decide(.grant, id: asked.id, in: Fixture.context(hanako))
            try await rewrite(expectingOwn: 2, app: 1)

            _ = try await fixture.consents.decide(.revoke, id: asked.id, in: Fixture.context(hanako))
            try await rewrite(expectingOwn: 3, app: 1)  // nothing more after the revocation
            group.cancelAll()
        }
        // The one notification the app received is a read in Hanako's access log; her own are not.
        let reads = try await store.auditRecords(matching: AuditQuery(dataOwner: Fixture.hanako), tenant: "city")
            .filter { $0.action == "personal.read" }
        #expect(reads.map(\.actor.clientId) == ["boshi-app"])
        #expect(reads.first?.purpose == "checkup" && reads.first?.requestId == "notifier")
    }

    @Test func theReaderIsKeptWithTheSubscriptionButNeverShown() throws {
        var subscription = try SubscriptionDecoder(expand: { JSONLDContext.core.expandTerm($0) }, now: Date())
            .decode(
                [
                    "type": "Subscription", "entities": [["type": "T"]],
                    "notification": ["endpoint": ["uri": "http://x/n"]],
                ],
                generatedId: "urn:ngsi-ld:Subscription:s",
                context: .null,
                createdAt: "2026-11-22T00:00:00Z"
            )
        subscription.reader = SubscriptionReader(principal: Fixture.app, purpose: "checkup")
        let restored = try Subscription(storedForm: subscription.storedForm)
        #expect(restored.reader == subscription.reader)
        #expect(restored.document["reader"] == nil)
    }
}
