import Foundation
import MachiBroker
import MachiCore
import MachiSQLite
import MachiStore
import OrderedCollections
import Synchronization
import Testing

/// Personal data is served to its owner, to staff allowed to read it, and to an application only while the owner's
/// consent for that purpose is in force; everyone else does not see it at all.
@Suite struct ConsentTests {
    static let vocab = "https://uri.etsi.org/ngsi-ld/default-context/"
    static let hanako = "urn:machi:person:hanako"
    static let taro = "urn:machi:person:taro"
    static let handbook = vocab + "MaternalHandbookRecord"

    let store: SQLiteEntityStore
    let clock = TestClock()
    let consents: ConsentService
    let entities: EntityService

    init() throws {
        store = try SQLiteEntityStore(configuration: .init(storage: .inMemory), logger: SQLiteEntityStore.silentLogger)
        consents = ConsentService(store: store, audit: store, now: { [clock] in clock.now })
        entities = EntityService(store: store, consents: consents)
    }

    static func record(_ id: String, owner: String?, weight: Double = 3.1) -> Entity {
        var attributes: OrderedDictionary<String, [Attribute]> = [
            vocab + "birthWeight": [Attribute(members: ["type": "Property", "value": .number(weight)])],
            vocab + "checkupNote": [Attribute(members: ["type": "Property", "value": "healthy"])],
        ]
        if let owner {
            attributes[PersonalDataGuard.ownerAttribute] = [
                Attribute(members: ["type": "Relationship", "object": .string(owner)])
            ]
        }
        return Entity(id: id, types: [owner == nil ? vocab + "Statistic" : handbook], attributes: attributes)
    }

    func seed() async throws {
        let system = BrokerContext(tenant: "city", requestId: "seed", principal: .system("test"))
        try await entities.create(Self.record("urn:ngsi-ld:MaternalHandbookRecord:h1", owner: Self.hanako), in: system)
        try await entities.create(Self.record("urn:ngsi-ld:MaternalHandbookRecord:t1", owner: Self.taro), in: system)
        try await entities.create(Self.record("urn:ngsi-ld:Statistic:births", owner: nil), in: system)
    }

    /// The app asks Hanako for consent to read her handbook records for the checkup.
    func ask(attributes: [String]? = nil, validUntil: Date? = nil) async throws -> Consent {
        try await consents.request(
            .init(
                owner: Self.hanako,
                purpose: "checkup",
                entityTypes: [Self.handbook],
                attributes: attributes,
                validUntil: validUntil
            ),
            in: Self.context(Self.app)
        )
    }

    static func person(
        _ subject: String,
        roles: Set<Role> = [.resident],
        scopes: Set<String> = [Scope.read]
    ) -> Principal {
        Principal(subject: subject, kind: .person, clientId: "machi-portal", roles: ["city": roles], scopes: scopes)
    }

    static let app = Principal(
        subject: "urn:machi:application:boshi-app",
        kind: .application,
        clientId: "boshi-app",
        roles: ["city": [.developer]],
        scopes: [Scope.read]
    )

    static func context(_ principal: Principal, purpose: String? = nil) -> BrokerContext {
        BrokerContext(tenant: "city", requestId: "r", principal: principal, purpose: purpose)
    }

    func visibleIds(_ principal: Principal, purpose: String? = nil) async throws -> Set<String> {
        let query = EntityQuery(types: .or([.type(Self.handbook), .type(Self.vocab + "Statistic")]), limit: 100)
        return Set(try await entities.query(query, in: Self.context(principal, purpose: purpose)).entities.map(\.id))
    }

    @Test func ownersSeeTheirOwnRecordsAndNoOneElses() async throws {
        try await seed()
        #expect(
            try await visibleIds(Self.person(Self.hanako))
                == ["urn:ngsi-ld:MaternalHandbookRecord:h1", "urn:ngsi-ld:Statistic:births"]
        )
        await #expect(throws: NGSIError(.resourceNotFound, "")) {
            try await entities.entity(
                id: "urn:ngsi-ld:MaternalHandbookRecord:t1",
                in: Self.context(Self.person(Self.hanako))
            )
        }
    }

    @Test func anApplicationReadsOnlyWhileAConsentForItsPurposeIsInForce() async throws {
        try await seed()
        let asked = try await ask()
        #expect(asked.status == .requested && asked.grantee == "boshi-app")
        #expect(try await visibleIds(Self.app, purpose: "checkup") == ["urn:ngsi-ld:Statistic:births"])

        // Only the owner can answer.
        await #expect(throws: NGSIError(.resourceNotFound, "")) {
            try await consents.decide(.grant, id: asked.id, in: Self.context(Self.person(Self.taro)))
        }
        _ = try await consents.decide(.grant, id: asked.id, in: Self.context(Self.person(Self.hanako)))
        #expect(
            try await visibleIds(Self.app, purpose: "checkup")
                == ["urn:ngsi-ld:MaternalHandbookRecord:h1", "urn:ngsi-ld:Statistic:births"]
        )
        #expect(try await visibleIds(Self.app, purpose: "marketing") == ["urn:ngsi-ld:Statistic:births"])
        #expect(try await visibleIds(Self.app) == ["urn:ngsi-ld:Statistic:births"])  // no purpose stated

        _ = try await consents.decide(.revoke, id: asked.id, in: Self.context(Self.person(Self.hanako)))
        #expect(try await visibleIds(Self.app, purpose: "checkup") == ["urn:ngsi-ld:Statistic:births"])
        await #expect(throws: NGSIError(.conflict, "")) {
            try await consents.decide(.grant, id: asked.id, in: Self.context(Self.person(Self.hanako)))
        }
    }

    @Test func aConsentEndsByItselfAndMayCoverSomeAttributesOnly() async throws {
        try await seed()
        let asked = try await ask(
            attributes: [Self.vocab + "birthWeight"],
            validUntil: clock.now.addingTimeInterval(3600)
        )
        _ = try await consents.decide(.grant, id: asked.id, in: Self.context(Self.person(Self.hanako)))
        let seen = try await entities.entity(
            id: "urn:ngsi-ld:MaternalHandbookRecord:h1",
            in: Self.context(Self.app, purpose: "checkup")
        )
        #expect(Set(seen.attributes.keys) == [Self.vocab + "birthWeight", PersonalDataGuard.ownerAttribute])

        clock.advance(by: 3601)
        #expect(try await visibleIds(Self.app, purpose: "checkup") == ["urn:ngsi-ld:Statistic:births"])
    }

    @Test func staffNeedTheRoleAndThePersonalReadScope() async throws {
        try await seed()
        let all: Set = [
            "urn:ngsi-ld:MaternalHandbookRecord:h1", "urn:ngsi-ld:MaternalHandbookRecord:t1",
            "urn:ngsi-ld:Statistic:births",
        ]
        let nurse = Self.person("urn:machi:person:nurse", roles: [.operator], scopes: [Scope.read, Scope.personalRead])
        #expect(try await visibleIds(nurse) == all)
        let clerk = Self.person("urn:machi:person:clerk", roles: [.operator], scopes: [Scope.read])
        #expect(try await visibleIds(clerk) == ["urn:ngsi-ld:Statistic:births"])
        let resident = Self.person("urn:machi:person:x", roles: [.resident], scopes: [Scope.read, Scope.personalRead])
        #expect(try await visibleIds(resident) == ["urn:ngsi-ld:Statistic:births"])
    }

    @Test func countsLeaveHiddenRecordsOut() async throws {
        try await seed()
        var query = EntityQuery(types: .type(Self.handbook), limit: 10)
        query.count = true
        let page = try await entities.query(query, in: Self.context(Self.person(Self.hanako)))
        #expect(page.totalCount == 1)
    }

    @Test func theTemporalEvolutionIsGuardedLikeTheEntity() async throws {
        try await seed()
        let temporal = TemporalService(store: store, personalData: (consents, store))
        let id = "urn:ngsi-ld:MaternalHandbookRecord:h1"
        let history = try await temporal.entity(
            id: id,
            query: TemporalQuery(),
            in: Self.context(Self.person(Self.hanako))
        )
        #expect(history.instances[Self.vocab + "birthWeight"]?.isEmpty == false)
        await #expect(throws: NGSIError(.resourceNotFound, "")) {
            try await temporal.entity(id: id, query: TemporalQuery(), in: Self.context(Self.app, purpose: "checkup"))
        }
        let found = try await temporal.entities(
            matching: EntityQuery(types: .type(Self.handbook), limit: 10),
            temporal: TemporalQuery(),
            in: Self.context(Self.person(Self.taro))
        )
        #expect(found.entities.map(\.id) == ["urn:ngsi-ld:MaternalHandbookRecord:t1"])
    }

    @Test func everyReadByAnotherAndEveryConsentChangeIsInTheOwnersAccessLog() async throws {
        try await seed()
        let hanako = Self.context(Self.person(Self.hanako))
        let asked = try await ask()
        _ = try await consents.decide(.grant, id: asked.id, in: hanako)
        _ = try await entities.entity(id: "urn:ngsi-ld:MaternalHandbookRecord:h1", in: hanako)  // her own: not logged
        _ = try await entities.entity(
            id: "urn:ngsi-ld:MaternalHandbookRecord:h1",
            in: Self.context(Self.app, purpose: "checkup")
        )
        let log = try await store.auditRecords(matching: AuditQuery(dataOwner: Self.hanako), tenant: "city")
        #expect(log.map(\.action) == ["personal.read", "consent.grant", "consent.request"])
        #expect(log.first?.actor.clientId == "boshi-app" && log.first?.purpose == "checkup")
        #expect(log.first?.target == "urn:ngsi-ld:MaternalHandbookRecord:h1")
        #expect(try await store.verifyAudit(tenant: "city").isIntact)
    }

    @Test func badRequestsChangeNothing() async throws {
        let bad: [ConsentService.Request] = [
            .init(owner: "hanako", purpose: "checkup", entityTypes: [Self.handbook], attributes: nil, validUntil: nil),
            .init(owner: Self.hanako, purpose: "", entityTypes: [Self.handbook], attributes: nil, validUntil: nil),
            .init(owner: Self.hanako, purpose: "checkup", entityTypes: [], attributes: nil, validUntil: nil),
            .init(
                owner: Self.hanako,
                purpose: "checkup",
                entityTypes: [Self.handbook],
                attributes: nil,
                validUntil: clock.now.addingTimeInterval(-1)
            ),
        ]
        for request in bad {
            await #expect(throws: NGSIError(.badRequestData, "")) {
                try await consents.request(request, in: Self.context(Self.app))
            }
        }
        // A person without an application has no client to be the grantee.
        let noClient = Principal(subject: Self.taro, kind: .person, roles: ["city": [.resident]], scopes: [Scope.read])
        await #expect(throws: NGSIError(.accessDenied, "")) {
            try await consents.request(bad[1], in: Self.context(noClient))
        }
        #expect(try await consents.mine(in: Self.context(Self.person(Self.hanako))).isEmpty)
    }
}

/// A clock the test moves.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
