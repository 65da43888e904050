import MachiSQLite
import Synchronization
import Testing

/// The group committer alone, with a fake transaction.
struct GroupCommitterTests {
    /// Records the batches it was given.
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
    }

    @Test func everyCallerGetsItsOwnResponseAndBatchesStayBounded() async throws {
        let recorder = Recorder()
        let committer = GroupCommitter<Int, String>(
            maxWeight: 10,
            window: .milliseconds(1),
            weight: { _ in 1 },
            perform: { batch in
                recorder.batches.withLock { $0.append(batch) }
                try await Task.sleep(for: .milliseconds(2))
                return batch.map { "r\($0)" }
            }
        )
        let responses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for request in 0..<100 { group.addTask { (request, try await committer.submit(request)) } }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(responses.count == 100)
        #expect(responses.allSatisfy { $0.value == "r\($0.key)" })
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.allSatisfy { $0.count <= 10 })
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<100))
        #expect(batches.count < 100, "batches: \(batches.count)")
    }

    @Test func aFailedBatchFailsOnlyItsCallers() async throws {
        struct Boom: Error {}
        let committer = GroupCommitter<Int, Int>(
            maxWeight: 1,
            window: .zero,
            weight: { _ in 1 },
            perform: { batch in
                if batch.contains(3) { throw Boom() }
                return batch
            }
        )
        for request in 0..<6 {
            if request == 3 {
                await #expect(throws: Boom.self) { try await committer.submit(request) }
            } else {
                #expect(try await committer.submit(request) == request)
            }
        }
    }

    @Test func anOversizedRequestRunsAlone() async throws {
        let committer = GroupCommitter<[Int], Int>(
            maxWeight: 2,
            window: .zero,
            weight: { $0.count },
            perform: { batch in batch.map(\.count) }
        )
        #expect(try await committer.submit([1, 2, 3, 4, 5]) == 5)
    }
}
