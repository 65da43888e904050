import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// The event-loop-bound heart of ``MQTTClient``: owns the state machine, the current channel, the promises of pending
/// requests and the timer, and carries out the state machine's actions.
///
/// Every method must be called on `eventLoop`; ``MQTTClient`` hops there, the channel handler already runs there.
final class MQTTClientCore {
    typealias Action = MQTTConnectionStateMachine.Action

    /// How often deadlines and keep-alive are checked.
    static let timerResolution = TimeAmount.milliseconds(100)

    let configuration: MQTTClient.Configuration
    let eventLoop: any EventLoop
    private let logger: Logger
    /// Messages go to the consumer a read at a time: one wake-up of its task per read, not per message.
    private let messages: AsyncStream<[MQTTMessage]>.Continuation
    /// Messages of the read in progress, handed over when it completes (`readComplete`).
    private var received: [MQTTMessage] = []
    /// Whether the channel is reading (between its first packet and `readComplete`).
    private var isReading = false
    /// The consumer's backlog; reading pauses when it is full.
    private let inbound: InboundBuffer
    private let connectedFlag: NIOLockedValueBox<Bool>
    private var machine: MQTTConnectionStateMachine
    private var channel: (any Channel)?
    /// Identifies the current connection attempt; events of older channels are ignored.
    private var connectionID = 0
    private var connectPromise: EventLoopPromise<Void>?
    private var publishPromises: [UInt16: EventLoopPromise<Void>] = [:]
    private var subscribePromises: [UInt16: EventLoopPromise<[MQTTSubscribeReturnCode]>] = [:]
    private var unsubscribePromises: [UInt16: EventLoopPromise<Void>] = [:]
    private var timer: RepeatedTask?
    private var isShutDown = false

    init(
        configuration: MQTTClient.Configuration,
        eventLoop: any EventLoop,
        logger: Logger,
        messages: AsyncStream<[MQTTMessage]>.Continuation,
        inbound: InboundBuffer,
        connectedFlag: NIOLockedValueBox<Bool>
    ) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
        self.messages = messages
        self.inbound = inbound
        self.connectedFlag = connectedFlag
        self.machine = MQTTConnectionStateMachine(
            configuration: .init(
                clientIdentifier: configuration.clientIdentifier,
                username: configuration.username,
                password: configuration.password.map { Array($0.utf8) },
                keepAliveSeconds: configuration.keepAliveSeconds,
                cleanSession: configuration.cleanSession,
                will: configuration.will,
                connectTimeout: TimeAmount(configuration.connectTimeout),
                acknowledgementTimeout: TimeAmount(configuration.acknowledgementTimeout),
                retransmitInterval: configuration.retransmitInterval.map { TimeAmount($0) }
            )
        )
    }

    // MARK: - Requests from MQTTClient

    func connect(promise: EventLoopPromise<Void>) {
        if self.isShutDown {
            promise.fail(MQTTError(.connectionClosed, "the client was disconnected; create a new MQTTClient"))
            return
        }
        if self.machine.isConnected {
            promise.succeed()
            return
        }
        if let pending = self.connectPromise {
            pending.futureResult.cascade(to: promise)
            return
        }
        if let closing = self.channel {
            // Only a connection that is going away can be here (refused, failed or timed out): retry once it is gone.
            let core = NIOLoopBound(self, eventLoop: self.eventLoop)
            let connectionID = self.connectionID
            closing.closeFuture.whenComplete { _ in
                // channelInactive normally ran already; make sure the old channel is gone before retrying.
                if core.value.channel === closing { core.value.channelInactive(connectionID: connectionID) }
                core.value.connect(promise: promise)
            }
            return
        }
        guard let bootstrap = ClientBootstrap(validatingGroup: self.eventLoop) else {
            promise.fail(MQTTError(.connectionFailed, "the event loop group is not supported by NIOPosix"))
            return
        }
        self.connectionID += 1
        let connectionID = self.connectionID
        self.connectPromise = promise
        let core = NIOLoopBound(self, eventLoop: self.eventLoop)
        let maximumPacketSize = self.configuration.maximumPacketSize
        let host = self.configuration.host
        let port = self.configuration.port
        self.logger.debug("connecting", metadata: ["mqtt.host": "\(host)", "mqtt.port": "\(port)"])
        bootstrap
            .connectTimeout(TimeAmount(self.configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = MQTTChannelHandler(
                        core: core,
                        connectionID: connectionID,
                        maximumPacketSize: maximumPacketSize
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: host, port: port)
            .whenComplete { result in
                core.value.connectAttemptCompleted(result, connectionID: connectionID, host: host, port: port)
            }
    }

    /// The task awaiting `promise` was cancelled: fail it, and abandon the attempt if it is the one it started.
    func cancelConnect(_ promise: EventLoopPromise<Void>) {
        guard let pending = self.connectPromise, pending == promise else {
            promise.fail(CancellationError())
            return
        }
        self.connectPromise = nil
        promise.fail(CancellationError())
        if let channel = self.channel {
            channel.close(promise: nil)
        } else {
            self.connectionID += 1  // the channel of the abandoned attempt is closed when it arrives
        }
    }

    func publish(_ message: MQTTMessage, promise: EventLoopPromise<Void>) {
        switch self.machine.publish(message, now: .now()) {
        case .fail(let error):
            promise.fail(error)
        case .write(let packet, let packetIdentifier?):
            self.publishPromises[packetIdentifier] = promise
            self.run([.write(packet)])
        case .write(let packet, nil):
            let timeout = self.configuration.acknowledgementTimeout
            let timeoutTask = self.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                promise.fail(MQTTError(.timeout, "QoS 0 PUBLISH was not written within \(timeout)"))
            }
            promise.futureResult.whenComplete { _ in timeoutTask.cancel() }
            self.write(packet, promise: promise)
            self.channel?.flush()
        }
    }

    func subscribe(_ subscriptions: [MQTTSubscription], promise: EventLoopPromise<[MQTTSubscribeReturnCode]>) {
        switch self.machine.subscribe(subscriptions, now: .now()) {
        case .fail(let error):
            promise.fail(error)
        case .write(let packet, let packetIdentifier):
            if let packetIdentifier { self.subscribePromises[packetIdentifier] = promise }
            self.run([.write(packet)])
        }
    }

    func unsubscribe(_ topicFilters: [String], promise: EventLoopPromise<Void>) {
        switch self.machine.unsubscribe(topicFilters, now: .now()) {
        case .fail(let error):
            promise.fail(error)
        case .write(let packet, let packetIdentifier):
            if let packetIdentifier { self.unsubscribePromises[packetIdentifier] = promise }
            self.run([.write(packet)])
        }
    }

    /// Sends DISCONNECT, fails everything pending, closes the connection and finishes `messages`; terminal.
    func disconnect(promise: EventLoopPromise<Void>?) {
        let firstCall = !self.isShutDown
        self.isShutDown = true
        let closeFuture = self.channel?.closeFuture
        if self.channel == nil { self.connectionID += 1 }
        self.run(self.machine.disconnect(now: .now()))
        self.connectPromise?.fail(MQTTError(.connectionClosed, "the client disconnected"))
        self.connectPromise = nil
        self.failAllPromises(MQTTError(.connectionClosed, "the client disconnected"))
        if firstCall {
            self.logger.debug("disconnected")
            self.handOverReceived()
            self.messages.finish()
        }
        self.updateTimer()
        if let promise {
            if let closeFuture {
                closeFuture.whenComplete { _ in promise.succeed() }
            } else {
                promise.succeed()
            }
        }
    }

    // MARK: - Events from MQTTChannelHandler

    func channelActive(_ channel: any Channel, connectionID: Int) {
        guard connectionID == self.connectionID, !self.isShutDown else {
            channel.close(promise: nil)
            return
        }
        self.channel = channel
        if self.inbound.paused.load(ordering: .relaxed) && !self.inbound.canResume {
            channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        } else {
            self.inbound.paused.store(false, ordering: .releasing)
        }
        self.logger.debug("TCP connection established, sending CONNECT")
        self.run(self.machine.connectionEstablished(now: .now()))
        self.updateTimer()
    }

    /// Reads again once the consumer has drained the backlog to half the limit (called by the consumer's side).
    func resumeReading() {
        guard self.inbound.canResume else { return }
        self.inbound.paused.store(false, ordering: .releasing)
        guard let channel = self.channel else { return }
        self.logger.debug("consumer caught up, reading again")
        channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        channel.read()
    }

    func packetReceived(_ packet: MQTTPacket, connectionID: Int) {
        guard connectionID == self.connectionID else { return }
        self.isReading = true
        self.logger.trace("received packet", metadata: ["mqtt.packet": "\(packet.packetType)"])
        self.run(self.machine.packetReceived(packet, now: .now()))
        self.updateTimer()
    }

    /// A channel's read is complete: its messages go to the consumer together. (Whichever channel it was: what
    /// `received` holds was accepted from the current connection.)
    func readComplete() {
        self.handOverReceived()
    }

    func channelInactive(connectionID: Int) {
        guard connectionID == self.connectionID, self.channel != nil else { return }
        self.handOverReceived()
        self.channel = nil
        self.logger.debug("connection closed")
        self.run(self.machine.connectionClosed(now: .now()))
        if let promise = self.connectPromise {
            self.connectPromise = nil
            promise.fail(MQTTError(.connectionClosed, "connection closed before CONNACK"))
        }
        self.updateTimer()
    }

    func errorCaught(_ error: any Error, connectionID: Int) {
        guard connectionID == self.connectionID else { return }
        let mqttError = error as? MQTTError ?? MQTTError(.connectionClosed, "connection error: \(error)")
        self.logger.debug("connection error", metadata: ["mqtt.error": "\(mqttError)"])
        self.run(self.machine.errorCaught(mqttError, now: .now()))
        self.updateTimer()
    }

    // MARK: - Private

    private func connectAttemptCompleted(
        _ result: Result<any Channel, any Error>,
        connectionID: Int,
        host: String,
        port: Int
    ) {
        switch result {
        case .success(let channel):
            if connectionID != self.connectionID || self.isShutDown { channel.close(promise: nil) }
        case .failure(let error):
            guard connectionID == self.connectionID, let promise = self.connectPromise else { return }
            self.connectPromise = nil
            promise.fail(MQTTError(.connectionFailed, "could not connect to \(host):\(port): \(error)"))
        }
    }

    private func tick() {
        self.run(self.machine.tick(now: .now()))
        self.updateTimer()
    }

    private func updateConnectedFlag() {
        let isConnected = self.machine.isConnected
        self.connectedFlag.withLockedValue { $0 = isConnected }
    }

    private func updateTimer() {
        self.updateConnectedFlag()
        if self.machine.needsTimer {
            guard self.timer == nil else { return }
            let core = NIOLoopBound(self, eventLoop: self.eventLoop)
            self.timer = self.eventLoop.scheduleRepeatedTask(
                initialDelay: Self.timerResolution,
                delay: Self.timerResolution
            ) { _ in core.value.tick() }
        } else {
            self.timer?.cancel()
            self.timer = nil
        }
    }

    /// Carries out actions in order. Writes are flushed at the end of the batch or before a close.
    private func run(_ actions: [Action]) {
        // Publish the connection state before completing promises, so that awaiting tasks observe it.
        self.updateConnectedFlag()
        var needsFlush = false
        var lastWrite: EventLoopFuture<Void>?
        for action in actions {
            switch action {
            case .write(let packet):
                lastWrite = self.write(packet, promise: nil)
                needsFlush = true
            case .connectSucceeded(let sessionPresent):
                self.logger.debug("connected", metadata: ["mqtt.session_present": "\(sessionPresent)"])
                self.connectPromise?.succeed()
                self.connectPromise = nil
            case .connectFailed(let error):
                self.connectPromise?.fail(error)
                self.connectPromise = nil
            case .succeedPublish(let id):
                self.publishPromises.removeValue(forKey: id)?.succeed()
            case .failPublish(let id, let error):
                self.publishPromises.removeValue(forKey: id)?.fail(error)
            case .succeedSubscribe(let id, let returnCodes):
                self.subscribePromises.removeValue(forKey: id)?.succeed(returnCodes)
            case .failSubscribe(let id, let error):
                self.subscribePromises.removeValue(forKey: id)?.fail(error)
            case .succeedUnsubscribe(let id):
                self.unsubscribePromises.removeValue(forKey: id)?.succeed()
            case .failUnsubscribe(let id, let error):
                self.unsubscribePromises.removeValue(forKey: id)?.fail(error)
            case .deliver(let message):
                self.received.append(message)
                let backlog = self.inbound.count.add(1, ordering: .relaxed).newValue
                if backlog >= self.inbound.limit, !self.inbound.paused.load(ordering: .relaxed), let channel {
                    self.logger.debug("consumer behind, pausing reads", metadata: ["mqtt.backlog": "\(backlog)"])
                    self.inbound.paused.store(true, ordering: .releasing)
                    channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
                }
            case .close(let error):
                if let error { self.logger.debug("closing connection", metadata: ["mqtt.error": "\(error)"]) }
                guard let channel = self.channel else { break }
                if needsFlush {
                    channel.flush()
                    needsFlush = false
                }
                self.close(channel, after: lastWrite)
            }
        }
        if needsFlush { self.channel?.flush() }
        // A message delivered outside a read (none is today) must not wait for the next one.
        if !self.isReading { self.handOverReceived() }
    }

    /// Yields the messages received so far as one element of the stream.
    private func handOverReceived() {
        self.isReading = false
        guard !self.received.isEmpty else { return }
        self.messages.yield(self.received)
        self.received = []
    }

    /// Closes once `write` completed (so that e.g. DISCONNECT goes out first), and at the latest after one second.
    private func close(_ channel: any Channel, after write: EventLoopFuture<Void>?) {
        guard let write else {
            channel.close(promise: nil)
            return
        }
        let fallback = self.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        write.whenComplete { _ in
            fallback.cancel()
            channel.close(promise: nil)
        }
    }

    @discardableResult
    private func write(_ packet: MQTTPacket, promise: EventLoopPromise<Void>?) -> EventLoopFuture<Void>? {
        guard let channel = self.channel else {
            promise?.fail(MQTTError(.notConnected, "not connected"))
            return nil
        }
        var buffer = channel.allocator.buffer(capacity: 64)
        do {
            try packet.encode(into: &buffer)
        } catch {
            promise?.fail(error)
            self.logger.error("could not encode packet", metadata: ["mqtt.error": "\(error)"])
            self.run(self.machine.errorCaught(error, now: .now()))
            return nil
        }
        self.logger.trace("sending packet", metadata: ["mqtt.packet": "\(packet.packetType)"])
        let future = channel.write(buffer)
        future.cascadeFailure(to: promise)
        if let promise { future.cascadeSuccess(to: promise) }
        return future
    }

    private func failAllPromises(_ error: MQTTError) {
        let publishes = self.publishPromises
        let subscribes = self.subscribePromises
        let unsubscribes = self.unsubscribePromises
        self.publishPromises = [:]
        self.subscribePromises = [:]
        self.unsubscribePromises = [:]
        for promise in publishes.values { promise.fail(error) }
        for promise in subscribes.values { promise.fail(error) }
        for promise in unsubscribes.values { promise.fail(error) }
    }
}
