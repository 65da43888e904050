import Foundation
import MachiBroker
import MachiCore
import MachiSQLite
import OrderedCollections
import Testing

/// A subscription is its creator's: other callers of the tenant neither see nor change it; tenant admins, open
/// mode and Machi itself see all.
@Suite struct SubscriptionOwnershipTests {
    typealias Fixture = ConsentTests

    @Test func othersNeitherSeeNorChangeIt() async throws {
        let store = try SQLiteEntityStore(
            configuration: .init(storage: .inMemory),
            logger: SQLiteEntityStore.silentLogger
        )
        let subscriptions = SubscriptionService(
            store: store,
            registry: SubscriptionRegistry(),
            contexts: ContextResolver(loader: OfflineContextLoader(), hostedStore: store),
            notifier: nil
        )
        func subscribe(_ id: String, as principal: Principal) async throws {
            let document: JSONObject = [
                "id": .string(id), "type": "Subscription", "entities": [["type": "T"]],
                "notification": ["endpoint": ["uri": "http://receiver.invalid/notify"]],
            ]
            let subscription = try subscriptions.decoder(expand: { JSONLDContext.core.expandTerm($0) })
                .decode(document, generatedId: id, context: .null, createdAt: subscriptions.timestamp())
            try await subscriptions.create(subscription, in: Fixture.context(principal))
        }
        let hanako = Fixture.person(Fixture.hanako)
        try await subscribe("urn:ngsi-ld:Subscription:hanako", as: hanako)
        try await subscribe("urn:ngsi-ld:Subscription:app", as: Fixture.app)

        func listed(_ principal: Principal) async throws -> [String] {
            try await subscriptions.subscriptions(limit: 10, offset: 0, in: Fixture.context(principal))
                .subscriptions.map(\.0.id).sorted()
        }
        #expect(try await listed(hanako) == ["urn:ngsi-ld:Subscription:hanako"])
        #expect(try await listed(Fixture.app) == ["urn:ngsi-ld:Subscription:app"])
        let admin = Fixture.person("urn:machi:person:admin", roles: [.admin])
        #expect(try await listed(admin) == ["urn:ngsi-ld:Subscription:app", "urn:ngsi-ld:Subscription:hanako"])
        #expect(try await listed(.openMode).count == 2)

        await #expect(throws: NGSIError(.resourceNotFound, "")) {
            try await subscriptions.subscription(
                id: "urn:ngsi-ld:Subscription:hanako",
                in: Fixture.context(Fixture.app)
            )
        }
        await #expect(throws: NGSIError(.resourceNotFound, "")) {
            try await subscriptions.delete(id: "urn:ngsi-ld:Subscription:hanako", in: Fixture.context(Fixture.app))
        }
        await #expect(throws: NGSIError(.resourceNotFound, "")) {
            try await subscriptions.update(
                id: "urn:ngsi-ld:Subscription:hanako",
                fragment: ["isActive": false],
                expand: { JSONLDContext.core.expandTerm($0) },
                in: Fixture.context(Fixture.app)
            )
        }
        #expect(
            try await subscriptions.subscription(id: "urn:ngsi-ld:Subscription:hanako", in: Fixture.context(hanako)).0
                .isActive
        )
        try await subscriptions.delete(id: "urn:ngsi-ld:Subscription:hanako", in: Fixture.context(admin))
        #expect(try await listed(.openMode) == ["urn:ngsi-ld:Subscription:app"])
    }
}
