import Foundation
import MachiCore
import MachiStore
import Synchronization
import Testing

@testable import MachiSQLite

/// The read cache never serves an entity older than an acknowledged write.
struct EntityCacheTests {
    static let valueName = "https://machi.example/ns#value"

    static func counter(_ value: Int) -> Entity {
        let text = """
            {"id": "urn:ngsi-ld:Counter:1", "type": ["https://machi.example/ns#Counter"],
             "\(valueName)": [{"type": "Property", "value": \(value)}]}
            """
        return try! Entity(storedForm: JSONParser.parse(text))
    }

    static func value(_ entity: Entity?) -> Int? {
        guard let number = entity?.storedForm[valueName]?.arrayValue?.first?["value"]?.numberValue else { return nil }
        return Int(number)
    }

    @Test func aFillThatRacedAWriteIsDropped() {
        let cache = EntityCache(capacity: 10)
        guard case .miss(let token?) = cache.lookup("a") else {
            Issue.record("first lookup must miss with a token")
            return
        }
        // A second reader of the same id reads without filling.
        guard case .miss(nil) = cache.lookup("a") else {
            Issue.record("a concurrent lookup must not get a token")
            return
        }
        cache.committed([(id: "a", after: Self.counter(2))])
        cache.fill("a", token: token, with: Self.counter(1))  // read from a snapshot before the commit
        guard case .hit(let entity) = cache.lookup("a") else {
            Issue.record("the committed entity must be cached")
            return
        }
        #expect(Self.value(entity) == 2)
    }

    @Test func deletesAndFailedReadsLeaveNoEntry() {
        let cache = EntityCache(capacity: 10)
        guard case .miss(let token?) = cache.lookup("a") else { return }
        cache.fill("a", token: token, with: Self.counter(1))
        cache.committed([(id: "a", after: nil)])
        guard case .miss(let second?) = cache.lookup("a") else {
            Issue.record("a deleted entity must not be cached")
            return
        }
        cache.fill("a", token: second, with: nil)
        guard case .miss(.some) = cache.lookup("a") else {
            Issue.record("an absent entity must not be cached")
            return
        }
    }

    @Test func theCacheStaysWithinItsCapacity() {
        let cache = EntityCache(capacity: 16)
        for n in 0..<100 {
            if case .miss(let token?) = cache.lookup("e\(n)") {
                cache.fill("e\(n)", token: token, with: Self.counter(n))
            }
        }
        var hits = 0
        for n in 0..<100 { if case .hit = cache.lookup("e\(n)") { hits += 1 } }
        #expect(hits > 0 && hits <= 16)
    }

    /// Readers hammer the entity while a writer increments it: every read returns at least the last value
    /// acknowledged before the read started.
    @Test func readersNeverSeeLessThanTheAcknowledgedValue() async throws {
        try await withDirectoryStore { store, _ in
            _ = try await store.apply([EntityChange(id: Self.counter(0).id) { _ in Self.counter(0) }], tenant: "")
            let acknowledged = AcknowledgedValue()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for value in 1...200 {
                        _ = try await store.apply(
                            [EntityChange(id: Self.counter(value).id) { _ in Self.counter(value) }],
                            tenant: ""
                        )
                        acknowledged.set(value)
                    }
                }
                for _ in 0..<3 {
                    group.addTask {
                        for _ in 0..<400 {
                            let floor = acknowledged.get()
                            let read = Self.value(try await store.entity(id: Self.counter(0).id, tenant: ""))
                            #expect((read ?? -1) >= floor)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(Self.value(try await store.entity(id: Self.counter(0).id, tenant: "")) == 200)
        }
    }
}

private final class AcknowledgedValue: Sendable {
    private let value = Mutex(0)
    func set(_ newValue: Int) { value.withLock { $0 = newValue } }
    func get() -> Int { value.withLock { $0 } }
}
