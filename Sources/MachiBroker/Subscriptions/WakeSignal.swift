/// A level-triggered signal: `wake()` from anywhere, `for await _ in signal.events` in one consumer. Wakes that
/// arrive while the consumer is busy collapse into one.
public final class WakeSignal: Sendable {
    public let events: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (events, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public func wake() { continuation.yield() }

    /// Ends `events`.
    public func finish() { continuation.finish() }
}
