import Synchronization

/// Merges concurrent write requests into shared transactions ("group commit"), with no task of its own.
///
/// Every caller of `submit` enqueues a ticket. If no leader is active, the caller becomes the leader; otherwise it
/// waits. A leader takes a batch from the front of the queue (its own ticket is always the first, so it is in the
/// batch), runs it as one transaction through `perform`, then:
/// 1. hands leadership to the ticket now at the front of the queue, if any (that caller wakes up and leads the
///    next batch: everything that arrived while the transaction ran), or marks the committer idle;
/// 2. delivers each ticket of the batch its own result, or the transaction's error to all of them.
///
/// So each caller leads at most one batch, latency stays bounded under steady load, and the queue never waits
/// for a leader: the invariant is "the queue is non-empty ⇒ a leader is active or has been handed the lead".
/// A batch holds at most `maxWeight` (the sum of the requests' weights), but always at least one request.
package final class GroupCommitter<Request: Sendable, Response: Sendable>: Sendable {
    private struct State {
        var queue: [Ticket] = []
        var leaderActive = false
    }

    private let state = Mutex(State())
    private let maxWeight: Int
    private let window: Duration
    private let weight: @Sendable (Request) -> Int
    private let perform: @Sendable ([Request]) async throws -> [Response]

    /// - Parameters:
    ///   - maxWeight: The most total weight in one batch.
    ///   - window: How long a leader waits for more requests before it takes its batch.
    ///   - weight: A request's weight (e.g. its number of changes).
    ///   - perform: Runs one batch as one transaction and returns one response per request, in order. It must not
    ///     depend on the calling task's cancellation: the requests of other callers ride on it.
    package init(
        maxWeight: Int,
        window: Duration,
        weight: @escaping @Sendable (Request) -> Int,
        perform: @escaping @Sendable ([Request]) async throws -> [Response]
    ) {
        self.maxWeight = max(1, maxWeight)
        self.window = window
        self.weight = weight
        self.perform = perform
    }

    /// Runs `request` in the next transaction and returns its response once that transaction has committed.
    /// - Throws: The error of the whole transaction, if it failed.
    package func submit(_ request: Request) async throws -> Response {
        let ticket = Ticket(request)
        let leads = state.withLock { state in
            state.queue.append(ticket)
            if state.leaderActive { return false }
            state.leaderActive = true
            return true
        }
        if leads { await leadOneBatch() }
        while true {
            switch await ticket.next() {
            case .lead: await leadOneBatch()
            case .finished(let result): return try result.get()
            }
        }
    }

    private func leadOneBatch() async {
        if window > .zero {
            // Cancellation only shortens the wait; the batch still runs.
            try? await Task.sleep(for: window)
        }
        let batch = state.withLock { state in
            var total = 0
            var count = 0
            for ticket in state.queue {
                let ticketWeight = weight(ticket.request)
                if count > 0 && total + ticketWeight > maxWeight { break }
                total += ticketWeight
                count += 1
            }
            let batch = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return batch
        }
        let outcome: Result<[Response], any Error>
        do {
            let responses = try await perform(batch.map(\.request))
            outcome = responses.count == batch.count ? .success(responses) : .failure(CommitterError.responseCount)
        } catch {
            outcome = .failure(error)
        }
        let nextLeader = state.withLock { state -> Ticket? in
            guard let first = state.queue.first else {
                state.leaderActive = false
                return nil
            }
            return first
        }
        nextLeader?.deliver(.lead)
        for (index, ticket) in batch.enumerated() {
            ticket.deliver(.finished(outcome.map { $0[index] }))
        }
    }

    private enum CommitterError: Error {
        case responseCount
    }

    /// What a waiting caller is told.
    private enum Outcome: Sendable {
        /// Lead the next batch.
        case lead
        /// The caller's request is done.
        case finished(Result<Response, any Error>)
    }

    /// One caller's request and its mailbox.
    private final class Ticket: Sendable {
        private enum Mailbox {
            case empty
            case waiting(CheckedContinuation<Outcome, Never>)
            case delivered([Outcome])
        }

        let request: Request
        private let mailbox = Mutex(Mailbox.empty)

        init(_ request: Request) { self.request = request }

        /// The next outcome, waiting for it if none has been delivered yet.
        func next() async -> Outcome {
            await withCheckedContinuation { continuation in
                let ready = mailbox.withLock { mailbox -> Outcome? in
                    switch mailbox {
                    case .delivered(var outcomes):
                        let first = outcomes.removeFirst()
                        mailbox = outcomes.isEmpty ? .empty : .delivered(outcomes)
                        return first
                    case .empty, .waiting:
                        mailbox = .waiting(continuation)
                        return nil
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }

        func deliver(_ outcome: Outcome) {
            let waiter = mailbox.withLock { mailbox -> CheckedContinuation<Outcome, Never>? in
                switch mailbox {
                case .waiting(let continuation):
                    mailbox = .empty
                    return continuation
                case .empty:
                    mailbox = .delivered([outcome])
                    return nil
                case .delivered(let outcomes):
                    mailbox = .delivered(outcomes + [outcome])
                    return nil
                }
            }
            waiter?.resume(returning: outcome)
        }
    }
}
