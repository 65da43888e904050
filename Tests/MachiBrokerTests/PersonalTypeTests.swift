import Foundation
import Logging
import MachiBroker
import MachiCore
import MachiSQLite
import MachiStore
import OrderedCollections
import Synchronization
import Testing

/// Entities of a type the tenant marks personal (`consent.personal.types`) are personal data: with a `dataOwner`
/// like any personal entity, without one only for readers who see everything. Queries (and their counts),
/// retrieval, the temporal API, notifications and the `personal.read` records all agree.
@Suite struct PersonalTypeTests {
    typealias Fixture = ConsentTests
    static let vocab = Fixture.vocab
    static let position = vocab + "ChildPosition"
    static let owned = "urn:ngsi-ld:ChildPosition:owned"
    static let unowned = "urn:ngsi-ld:ChildPosition:unowned"
    static let statistic = "urn:ngsi-ld:Statistic:children"

    let store: SQLiteEntityStore
    let consents: ConsentService
    let entities: EntityService
    let temporal: TemporalService

    init() throws {
        store = try SQLiteEntityStore(configuration: .init(storage: .inMemory), logger: SQLiteEntityStore.silentLogger)
        consents = ConsentService(
            store: store,
            audit: store,
            personalTypes: try PersonalTypes.parse("city=ChildPosition, other=https://example.org/Unrelated")
        )
        entities = EntityService(store: store, consents: consents)
        temporal = TemporalService(store: store, personalData: (consents, store))
    }

    static func position(_ id: String, owner: String?, latitude: Double = 36.1) -> Entity {
        var attributes: OrderedDictionary<String, [Attribute]> = [
            vocab + "latitude": [Attribute(members: ["type": "Property", "value": .number(latitude)])]
        ]
        if let owner {
            attributes[PersonalDataGuard.ownerAttribute] = [
                Attribute(members: ["type": "Relationship", "object": .string(owner)])
            ]
        }
        return Entity(id: id, types: [Self.position], attributes: attributes)
    }

    static let system = BrokerContext(tenant: "city", requestId: "seed", principal: .system("test"))

    func write(latitude: Double = 36.1, tenant: String = "city") async throws {
        let context = BrokerContext(tenant: tenant, requestId: "w", principal: .system("test"))
        for entity in [
            Self.position(Self.owned, owner: Fixture.hanako, latitude: latitude),
            Self.position(Self.unowned, owner: nil, latitude: latitude),
            Entity(
                id: Self.statistic,
                types: [Self.vocab + "Statistic"],
                attributes: [Self.vocab + "count": [Attribute(members: ["type": "Property", "value": 12])]]
            ),
        ] {
            _ = try await entities.applyOne(EntityChange(id: entity.id, apply: { _ in entity }), in: context)
        }
    }

    /// The app with a consent in force for Hanako's positions, for `safety`.
    func consentingApp() async throws -> Principal {
        let asked = try await consents.request(
            .init(
                owner: Fixture.hanako,
                purpose: "safety",
                entityTypes: [Self.position],
                attributes: nil,
                validUntil: nil
            ),
            in: Fixture.context(Fixture.app)
        )
        _ = try await consents.decide(.grant, id: asked.id, in: Fixture.context(Fixture.person(Fixture.hanako)))
        return Fixture.app
    }

    static let otherApp = Principal(
        subject: "urn:machi:application:other-app",
        kind: .application,
        clientId: "other-app",
        roles: ["city": [.developer]],
        scopes: [Scope.read]
    )
    static let staff = Fixture.person(
        "urn:machi:person:nurse",
        roles: [.operator],
        scopes: [Scope.read, Scope.personalRead]
    )

    /// Every reader, with what it must see of the three entities.
    func readers() async throws -> [(name: String, context: BrokerContext, sees: Set<String>)] {
        let app = try await consentingApp()
        return [
            ("anonymous", Fixture.context(.anonymous), [Self.statistic]),
            ("an app without consent", Fixture.context(Self.otherApp, purpose: "safety"), [Self.statistic]),
            ("the app with consent", Fixture.context(app, purpose: "safety"), [Self.owned, Self.statistic]),
            ("the app for another purpose", Fixture.context(app, purpose: "marketing"), [Self.statistic]),
            ("the owner", Fixture.context(Fixture.person(Fixture.hanako)), [Self.owned, Self.statistic]),
            ("another resident", Fixture.context(Fixture.person(Fixture.taro)), [Self.statistic]),
            ("staff with personal:read", Fixture.context(Self.staff), [Self.owned, Self.unowned, Self.statistic]),
        ]
    }

    @Test func queriesCountsAndRetrievalShowEachReaderOnlyWhatItMaySee() async throws {
        try await write()
        for (name, context, sees) in try await readers() {
            var query = EntityQuery(types: .or([.type(Self.position), .type(Self.vocab + "Statistic")]), limit: 100)
            query.count = true
            let page = try await entities.query(query, in: context)
            #expect(Set(page.entities.map(\.id)) == sees, "\(name) queries")
            #expect(page.totalCount == sees.count, "\(name) counts")
            // A one-entity page still counts honestly: hidden entities are left out in the store's query.
            var positions = EntityQuery(types: .type(Self.position), limit: 1)
            positions.count = true
            let first = try await entities.query(positions, in: context)
            #expect(first.totalCount == sees.subtracting([Self.statistic]).count, "\(name) counts positions")
            #expect(first.entities.count == min(1, first.totalCount ?? 0), "\(name) gets a full page")
        }
    }

    @Test func retrievingAHiddenEntityIsNotFound() async throws {
        try await write()
        for (name, context, sees) in try await readers() {
            for id in [Self.owned, Self.unowned] {
                do {
                    _ = try await entities.entity(id: id, in: context)
                    #expect(sees.contains(id), "\(name) retrieved \(id)")
                } catch {
                    #expect(!sees.contains(id) && error.code == .resourceNotFound, "\(name) could not retrieve \(id)")
                }
            }
        }
    }

    @Test func theTemporalAPIHidesTheSameEntities() async throws {
        try await write(latitude: 36.1)
        try await write(latitude: 36.2)
        for (name, context, sees) in try await readers() {
            let found = try await temporal.entities(
                matching: EntityQuery(types: .type(Self.position), limit: 10),
                temporal: TemporalQuery(),
                in: context
            )
            #expect(Set(found.entities.map(\.id)) == sees.subtracting([Self.statistic]), "\(name) temporal query")
            do {
                let history = try await temporal.entity(id: Self.unowned, query: TemporalQuery(), in: context)
                #expect(sees.contains(Self.unowned), "\(name) read the unowned history")
                #expect(history.instances[Self.vocab + "latitude"]?.count == 2)
            } catch {
                #expect(!sees.contains(Self.unowned) && error.code == .resourceNotFound, "\(name) temporal retrieve")
            }
        }
    }

    @Test func readsOfPersonalTypesAreRecorded() async throws {
        try await write()
        _ = try await entities.entity(id: Self.unowned, in: Fixture.context(Self.staff))
        _ = try await entities.entity(id: Self.owned, in: Fixture.context(Self.staff))
        _ = try await entities.entity(id: Self.statistic, in: Fixture.context(Self.staff))
        _ = try await temporal.entity(id: Self.unowned, query: TemporalQuery(), in: Fixture.context(Self.staff))
        let reads = try await store.auditRecords(matching: AuditQuery(action: "personal.read"), tenant: "city")
        #expect(reads.map(\.target) == [Self.unowned, Self.owned, Self.unowned])
        #expect(reads.map(\.dataOwner) == [nil, Fixture.hanako, nil])
        #expect(reads.allSatisfy { $0.actor.subject == Self.staff.subject })
    }

    @Test func theMarkIsPerTenant() async throws {
        try await write(tenant: "town")
        let anonymous = BrokerContext(tenant: "town", requestId: "r", principal: .anonymous)
        let page = try await entities.query(EntityQuery(types: .type(Self.position), limit: 10), in: anonymous)
        #expect(Set(page.entities.map(\.id)) == [Self.unowned])  // the owned one still has its owner
    }

    @Test func theConfigurationNamesTypesPerTenant() throws {
        let types = try PersonalTypes.parse(" city = ChildPosition,default=https://example.org/Care, city=Other ")
        #expect(types.types(in: "city") == [Self.position, Self.vocab + "Other"])
        #expect(types.types(in: "") == ["https://example.org/Care"])
        #expect(types.types(in: "town").isEmpty)
        #expect(try PersonalTypes.parse("") == PersonalTypes())
        for bad in ["ChildPosition", "=ChildPosition", "city=", "city=Child Position"] {
            #expect(throws: PersonalTypesError.self) { try PersonalTypes.parse(bad) }
        }
    }

    /// Keeps every notification's entity ids, by subscription id.
    final class Receiver: NotificationTransport {
        private let received = Mutex<[String: [String]]>([:])
        func send(_ notification: OutgoingNotification) async throws(DeliveryError) {
            let ids = (notification.body["data"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            received.withLock { $0[notification.subscriptionId, default: []] += ids }
        }
        func ids(_ subscription: String) -> Set<String> { Set(received.withLock { $0[subscription] ?? [] }) }
    }

    @Test func notificationsCarryOnlyWhatTheSubscriberMayRead() async throws {
        let receiver = Receiver()
        let broker = NotifyingBroker(store: store, transport: receiver, consents: consents)
        let (notifier, subscriptions) = (broker.notifier, broker.subscriptions)
        let readers = try await readers().filter { $0.context.principal.kind != .anonymous }
        for (index, reader) in readers.enumerated() {
            let id = "urn:ngsi-ld:Subscription:\(index)"
            let document: JSONObject = [
                "id": .string(id), "type": "Subscription",
                "entities": [["type": "ChildPosition"], ["type": "Statistic"]],
                "notification": ["endpoint": ["uri": "http://receiver.invalid/notify"]],
            ]
            let subscription = try subscriptions.decoder(expand: { JSONLDContext.core.expandTerm($0) })
                .decode(document, generatedId: id, context: .null, createdAt: subscriptions.timestamp())
            try await subscriptions.create(subscription, in: reader.context)
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await notifier.run() }
            try await write()
            // Every due notification handled (sent, or dropped for want of consent) once the outbox is empty.
            let deadline = ContinuousClock.now + .seconds(20)
            repeat {
                try await Task.sleep(for: .milliseconds(50))
            } while try await store.tableRowCounts(tenant: "city")?["outbox"] ?? 0 > 0 && ContinuousClock.now < deadline
            for (index, reader) in readers.enumerated() {
                #expect(receiver.ids("urn:ngsi-ld:Subscription:\(index)") == reader.sees, "\(reader.name) is notified")
            }
            group.cancelAll()
        }
    }
}
