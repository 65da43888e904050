import Foundation
import MachiCore
import MachiSQLite
import MachiStore
import OrderedCollections
import Testing

/// The store cuts instances by time window and `lastN` in SQL; what the temporal query then selects must be exactly
/// what it selects from all instances.
struct InstanceWindowTests {
    static let height = "https://machi.example/ns#height"
    static let flow = "https://machi.example/ns#flow"
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// 2 attributes × 40 instances a minute apart (every 7th without observedAt, some with a datasetId).
    static func store() async throws -> SQLiteEntityStore {
        let store = try SQLiteEntityStore(
            configuration: SQLiteStoreConfiguration(storage: .inMemory),
            logger: SQLiteEntityStore.silentLogger
        )
        var instances: [(name: String, attribute: Attribute)] = []
        for minute in 0..<40 {
            for name in [height, flow] {
                var members: JSONObject = ["type": "Property", "value": .number(Double(minute))]
                if minute % 7 != 3 {
                    members["observedAt"] = .string(DateTimeText.format(start.addingTimeInterval(Double(minute) * 60)))
                }
                if minute % 5 == 0 { members["datasetId"] = "urn:ngsi-ld:Dataset:backup" }
                instances.append((name, Attribute(members: members)))
            }
        }
        _ = try await store.appendInstances(
            entityId: "urn:ngsi-ld:WaterObserved:w",
            types: ["https://machi.example/ns#WaterObserved"],
            instances: instances,
            tenant: "",
            at: start
        )
        return store
    }

    static var queries: [TemporalQuery] {
        var queries: [TemporalQuery] = []
        let minute = { (m: Double) in start.addingTimeInterval(m * 60) }
        let relations: [TemporalQuery.Relation?] = [
            nil, .before(minute(10)), .after(minute(30)), .between(minute(5), minute(12)), .after(minute(39)),
            .before(minute(0)), .between(minute(12.5), minute(13.5)),
        ]
        for relation in relations {
            for lastN in [nil, 1, 3, 100] as [Int?] {
                for attributes in [nil, [height]] as [Set<String>?] {
                    for datasetIds in [nil, ["@none"]] as [Set<String>?] {
                        var query = TemporalQuery()
                        query.relation = relation
                        query.lastN = lastN
                        query.attributes = attributes
                        query.datasetIds = datasetIds
                        queries.append(query)
                    }
                }
            }
        }
        for property in [TemporalQuery.TimeProperty.createdAt, .modifiedAt] {
            var query = TemporalQuery()
            query.timeProperty = property
            query.relation = .after(start.addingTimeInterval(-1))
            query.lastN = 2
            queries.append(query)
        }
        return queries
    }

    static func selected(_ entity: TemporalEntity?, _ query: TemporalQuery) -> [String: [Int64]] {
        var result: [String: [Int64]] = [:]
        for (name, instances) in entity?.instances ?? [:] {
            if let attributes = query.attributes, !attributes.contains(name) { continue }
            let kept = query.select(instances).map(\.sequence)
            if !kept.isEmpty { result[name] = kept }
        }
        return result
    }

    @Test func theWindowNeverChangesWhatIsSelected() async throws {
        let store = try await Self.store()
        let all = try await store.temporalEntity(id: "urn:ngsi-ld:WaterObserved:w", query: TemporalQuery(), tenant: "")
        #expect(all?.instances[Self.height]?.count == 40)
        for query in Self.queries {
            let windowed = try await store.temporalEntity(id: "urn:ngsi-ld:WaterObserved:w", query: query, tenant: "")
            #expect(
                Self.selected(windowed, query) == Self.selected(all, query),
                "relation \(String(describing: query.relation)) lastN \(String(describing: query.lastN)) datasets \(String(describing: query.datasetIds)) on \(query.timeProperty)"
            )
        }
    }

    @Test func lastNReadsOnlyTheLastInstances() async throws {
        let store = try await Self.store()
        var query = TemporalQuery()
        query.lastN = 2
        let windowed = try await store.temporalEntity(id: "urn:ngsi-ld:WaterObserved:w", query: query, tenant: "")
        #expect(windowed?.instances[Self.height]?.count == 2)
        #expect(windowed?.instances[Self.flow]?.count == 2)
    }
}

/// The retention sweep.
struct RetentionSweepTests {
    @Test func onlyTheTenantsWithACutoffLoseTheirOldInstances() async throws {
        let store = try SQLiteEntityStore(
            configuration: SQLiteStoreConfiguration(storage: .inMemory),
            logger: SQLiteEntityStore.silentLogger
        )
        let old = Date(timeIntervalSince1970: 1_700_000_000)
        let recent = Date(timeIntervalSince1970: 1_790_000_000)
        let instances = (0..<12_000).map { index in
            (
                name: InstanceWindowTests.height,
                attribute: Attribute(members: ["type": "Property", "value": .number(Double(index))])
            )
        }
        for tenant in ["short", "long"] {
            for time in [old, recent] {
                _ = try await store.appendInstances(
                    entityId: "urn:ngsi-ld:WaterObserved:\(time.timeIntervalSince1970)",
                    types: ["https://machi.example/ns#WaterObserved"],
                    instances: instances,
                    tenant: tenant,
                    at: time
                )
            }
        }
        let cutoff = Date(timeIntervalSince1970: 1_750_000_000)
        let deleted = try await store.deleteInstances(recordedBefore: { $0 == "short" ? cutoff : nil })
        #expect(deleted == ["short": 12_000])
        let oldId = "urn:ngsi-ld:WaterObserved:\(old.timeIntervalSince1970)"
        let recentId = "urn:ngsi-ld:WaterObserved:\(recent.timeIntervalSince1970)"
        let gone = try await store.temporalEntity(id: oldId, query: TemporalQuery(), tenant: "short")
        #expect(gone?.instances.isEmpty == true)
        let kept = try await store.temporalEntity(id: recentId, query: TemporalQuery(), tenant: "short")
        #expect(kept?.instances[InstanceWindowTests.height]?.count == 12_000)
        let untouched = try await store.temporalEntity(id: oldId, query: TemporalQuery(), tenant: "long")
        #expect(untouched?.instances[InstanceWindowTests.height]?.count == 12_000)
    }
}
