public import Logging
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
import Synchronization

/// An MQTT 3.1.1 client on SwiftNIO (QoS 0 and 1, plain TCP).
///
/// ```swift
/// let client = MQTTClient(configuration: .init(host: "localhost", clientIdentifier: "notifier-1"))
/// try await client.connect()
/// try await client.publish(topic: "city/notifications", payload: ByteBuffer(string: "{}"), qos: .atLeastOnce)
/// await client.disconnect()
/// ```
///
/// If the connection is lost, pending requests fail (QoS 1 publishes only with `cleanSession`; without it they are
/// re-sent with DUP after the next ``connect()``), ``isConnected`` turns `false` and requests throw
/// ``MQTTError/Code/notConnected`` until ``connect()`` is called again. ``disconnect()`` is final. All protocol
/// state lives on one event loop of `eventLoopGroup`; keep-alive runs as a repeated task on that loop.
public final class MQTTClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: Configuration

    /// Every PUBLISH received from the broker, for all subscriptions, in arrival order.
    ///
    /// Holds at most `inboundBufferLimit` messages (then the client stops reading the socket until half are taken);
    /// iterate it from a single task. It finishes after ``disconnect()`` and survives reconnects. QoS 1 messages are
    /// acknowledged once they are buffered here.
    public let messages: MQTTMessageSequence

    private let eventLoop: any EventLoop
    /// The backlog of ``messages`` (tests read it).
    let inbound: InboundBuffer
    private let core: NIOLoopBoundBox<MQTTClientCore>
    private let connectedFlag: NIOLockedValueBox<Bool>

    /// Creates a client; no connection is made until ``connect()``.
    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "machi.mqtt")
    ) {
        var logger = logger
        logger[metadataKey: "mqtt.client_id"] = "\(configuration.clientIdentifier)"
        let eventLoop = eventLoopGroup.next()
        let (stream, continuation) = AsyncStream.makeStream(of: [MQTTMessage].self)
        let connectedFlag = NIOLockedValueBox(false)
        let inbound = InboundBuffer(limit: configuration.inboundBufferLimit)
        let core = NIOLoopBoundBox.makeBoxSendingValue(
            MQTTClientCore(
                configuration: configuration,
                eventLoop: eventLoop,
                logger: logger,
                messages: continuation,
                inbound: inbound,
                connectedFlag: connectedFlag
            ),
            eventLoop: eventLoop
        )
        self.configuration = configuration
        self.messages = MQTTMessageSequence(stream: stream) {
            inbound.count.subtract(1, ordering: .relaxed)
            if inbound.canResume { eventLoop.execute { core.value.resumeReading() } }
        }
        self.eventLoop = eventLoop
        self.connectedFlag = connectedFlag
        self.core = core
        self.inbound = inbound
    }

    deinit {
        let core = self.core
        self.eventLoop.execute { core.value.disconnect(promise: nil) }
    }

    /// Whether the MQTT connection is established (CONNACK accepted and not lost since).
    public var isConnected: Bool { self.connectedFlag.withLockedValue { $0 } }

    /// Connects to the broker and waits for an accepted CONNACK; returns at once if already connected.
    ///
    /// Throws ``MQTTError`` with ``MQTTError/Code/connectionFailed`` (TCP), ``MQTTError/Code/connectionRefused(_:)``,
    /// ``MQTTError/Code/timeout`` or ``MQTTError/Code/connectionClosed``; `CancellationError` if the task is cancelled.
    public func connect() async throws {
        let promise = self.eventLoop.makePromise(of: Void.self)
        let core = self.core
        self.eventLoop.execute { core.value.connect(promise: promise) }
        try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            self.eventLoop.execute { core.value.cancelConnect(promise) }
        }
    }

    /// Publishes a message. QoS 0 returns once the packet is written to the socket, QoS 1 once the PUBACK arrived;
    /// both give up after `acknowledgementTimeout` with ``MQTTError/Code/timeout``. QoS 2 is not supported.
    public func publish(
        topic: String,
        payload: ByteBuffer,
        qos: MQTTQoS = .atMostOnce,
        retain: Bool = false
    ) async throws {
        let message = MQTTMessage(topic: topic, payload: payload, qos: qos, retain: retain)
        let promise = self.eventLoop.makePromise(of: Void.self)
        let core = self.core
        self.eventLoop.execute { core.value.publish(message, promise: promise) }
        try await Self.wait(for: promise)
    }

    /// Publishes a message whose payload is given as bytes (e.g. `Array(json.utf8)` or Foundation `Data`).
    public func publish(
        topic: String,
        payload: some Collection<UInt8>,
        qos: MQTTQoS = .atMostOnce,
        retain: Bool = false
    ) async throws {
        try await self.publish(topic: topic, payload: ByteBuffer(bytes: payload), qos: qos, retain: retain)
    }

    /// Subscribes to topic filters; returns the broker's answer for each, in order (a QoS, possibly lower than
    /// requested, or ``MQTTSubscribeReturnCode/failure``). Incoming messages arrive on ``messages``.
    @discardableResult
    public func subscribe(to subscriptions: [MQTTSubscription]) async throws -> [MQTTSubscribeReturnCode] {
        let promise = self.eventLoop.makePromise(of: [MQTTSubscribeReturnCode].self)
        let core = self.core
        self.eventLoop.execute { core.value.subscribe(subscriptions, promise: promise) }
        return try await Self.wait(for: promise)
    }

    /// Subscribes to one topic filter; see ``subscribe(to:)-([MQTTSubscription])``.
    @discardableResult
    public func subscribe(to topicFilter: String, qos: MQTTQoS = .atMostOnce) async throws -> MQTTSubscribeReturnCode {
        let codes = try await self.subscribe(to: [MQTTSubscription(topicFilter: topicFilter, qos: qos)])
        guard let code = codes.first else {
            throw MQTTError.protocolViolation("SUBACK without return code")
        }
        return code
    }

    /// Removes subscriptions and waits for the UNSUBACK.
    public func unsubscribe(from topicFilters: [String]) async throws {
        let promise = self.eventLoop.makePromise(of: Void.self)
        let core = self.core
        self.eventLoop.execute { core.value.unsubscribe(topicFilters, promise: promise) }
        try await Self.wait(for: promise)
    }

    /// Sends DISCONNECT (if connected), fails pending requests with ``MQTTError/Code/connectionClosed``, closes the
    /// connection, finishes ``messages`` and waits for the socket to close. The client cannot be reconnected.
    public func disconnect() async {
        let promise = self.eventLoop.makePromise(of: Void.self)
        let core = self.core
        self.eventLoop.execute { core.value.disconnect(promise: promise) }
        try? await promise.futureResult.get()
    }

    /// Waits for a request; cancelling the task stops waiting (the request itself may still complete).
    private static func wait<Value: Sendable>(for promise: EventLoopPromise<Value>) async throws -> Value {
        try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }
}
