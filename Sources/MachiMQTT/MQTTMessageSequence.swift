import Synchronization

/// How many received messages wait in ``MQTTClient/messages``, and whether the client stopped reading because of
/// them. Shared by the event loop (which adds) and the consumer (which takes).
final class InboundBuffer: Sendable {
    let limit: Int
    let count = Atomic<Int>(0)
    let paused = Atomic<Bool>(false)

    init(limit: Int) { self.limit = limit }

    /// Whether reading may resume: paused, and drained to half the limit.
    var canResume: Bool { paused.load(ordering: .acquiring) && count.load(ordering: .relaxed) <= limit / 2 }
}

/// The messages an ``MQTTClient`` receives, in arrival order. Taking one frees its place in the bounded inbound
/// buffer; when the consumer falls behind by `inboundBufferLimit` messages the client stops reading the socket, so
/// memory stays bounded and the broker holds (or, for QoS 0, drops by its own rules) what does not fit.
///
/// The client hands messages over a socket read at a time; the iterator gives them out one by one.
public struct MQTTMessageSequence: AsyncSequence, Sendable {
    public typealias Element = MQTTMessage

    let stream: AsyncStream<[MQTTMessage]>
    let taken: @Sendable () -> Void

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<[MQTTMessage]>.AsyncIterator
        let taken: @Sendable () -> Void
        /// The read being given out, from `position` on.
        var read: [MQTTMessage] = []
        var position = 0

        public mutating func next() async -> MQTTMessage? {
            while position == read.count {
                guard let following = await base.next() else { return nil }
                read = following
                position = 0
            }
            let message = read[position]
            position += 1
            taken()
            return message
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator(), taken: taken) }
}
