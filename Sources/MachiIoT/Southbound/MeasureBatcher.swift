import Synchronization

/// A bounded queue between a southbound listener and the writer: the listener's `push` waits while the queue holds
/// `capacity` measures (backpressure instead of unbounded memory); the writer takes everything queued, up to a
/// limit, as one batch, so that measures of many devices share one transaction.
final class MeasureBatcher: Sendable {
    private struct State {
        var items: [PreparedMeasures] = []
        var measures = 0
        var finished = false
        var consumer: CheckedContinuation<Void, Never>?
        var producers: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    private enum PushOutcome {
        case queued(wake: CheckedContinuation<Void, Never>?)
        case full
        case dropped
    }

    /// Queues measures; waits while the queue is full. Dropped after `finish()`.
    func push(_ prepared: PreparedMeasures) async {
        while true {
            let outcome = state.withLock { state -> PushOutcome in
                if state.finished { return .dropped }
                if state.measures >= capacity { return .full }
                state.items.append(prepared)
                state.measures += prepared.measureCount
                defer { state.consumer = nil }
                return .queued(wake: state.consumer)
            }
            switch outcome {
            case .dropped: return
            case .queued(let consumer):
                consumer?.resume()
                return
            case .full:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let proceed = state.withLock { state in
                        if state.finished || state.measures < capacity { return true }
                        state.producers.append(continuation)
                        return false
                    }
                    if proceed { continuation.resume() }
                }
            }
        }
    }

    /// The next batch (at most `limit` measures, at least one item), waiting until there is one; `nil` once
    /// finished and drained.
    func next(limit: Int) async -> [PreparedMeasures]? {
        while true {
            let (batch, producers, done) = state.withLock {
                state -> ([PreparedMeasures], [CheckedContinuation<Void, Never>], Bool) in
                guard !state.items.isEmpty else { return ([], [], state.finished) }
                var count = 0
                var measures = 0
                for item in state.items {
                    if count > 0 && measures + item.measureCount > limit { break }
                    measures += item.measureCount
                    count += 1
                }
                let batch = Array(state.items.prefix(count))
                state.items.removeFirst(count)
                state.measures -= measures
                let producers = state.producers
                state.producers = []
                return (batch, producers, false)
            }
            for producer in producers { producer.resume() }
            if !batch.isEmpty { return batch }
            if done { return nil }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if !state.items.isEmpty || state.finished { return true }
                    state.consumer = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// Stops accepting measures and wakes everyone; `next` drains what is queued, then returns `nil`.
    func finish() {
        let (consumer, producers) = state.withLock { state in
            state.finished = true
            defer {
                state.consumer = nil
                state.producers = []
            }
            return (state.consumer, state.producers)
        }
        consumer?.resume()
        for producer in producers { producer.resume() }
    }
}
