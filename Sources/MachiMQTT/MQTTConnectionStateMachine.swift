import NIOCore

/// The MQTT 3.1.1 client protocol logic as a pure value type: no I/O, no clocks.
///
/// The owner feeds in events (connection established, packet received, connection closed, user requests, timer
/// ticks) together with the current time and carries out the returned actions in order.
///
/// Lifecycle: `disconnected` → `connecting` (CONNECT written) → `connected` (CONNACK accepted) or `refused`
/// (CONNACK return code 1–5); `connected` → `disconnecting` (user) or `closing` (error) → `closed`. From
/// `disconnected` or `closed` a new connection may be established; in-flight QoS 1 publishes survive that only with
/// `cleanSession == false`, and are then re-sent with DUP set after the CONNACK.
///
/// Decisions:
/// - A PUBACK, SUBACK or UNSUBACK for a packet identifier that is not awaiting one is **ignored**. It happens
///   legitimately: a duplicate PUBACK after a DUP re-send, or a late acknowledgement after the local timeout failed
///   the request.
/// - Keep-alive: a PINGREQ is sent when nothing was sent *or* nothing was received for `keepAlive`, so that a dead
///   broker is detected even while the client keeps publishing QoS 0. The connection is declared dead when the
///   PINGRESP does not arrive within `keepAlive` of the PINGREQ.
/// - Incoming QoS 2 PUBLISH, PUBREC, PUBREL, PUBCOMP and broker-bound packets are protocol violations.
struct MQTTConnectionStateMachine: Sendable {
    struct Configuration: Sendable {
        var clientIdentifier: String
        var username: String?
        var password: [UInt8]?
        /// 0 disables keep-alive.
        var keepAliveSeconds: UInt16 = 60
        var cleanSession: Bool = true
        var will: MQTTMessage?
        /// From the TCP connection being established to CONNACK.
        var connectTimeout: TimeAmount = .seconds(10)
        /// How long PUBACK, SUBACK and UNSUBACK are awaited.
        var acknowledgementTimeout: TimeAmount = .seconds(30)
        /// Re-send unacknowledged QoS 1 publishes with DUP after this long on the same connection; `nil`: never.
        var retransmitInterval: TimeAmount?
    }

    enum State: Sendable, Equatable {
        case disconnected
        case connecting(connackDeadline: NIODeadline)
        case connected(sessionPresent: Bool)
        case refused(MQTTError)
        case closing(MQTTError)
        case disconnecting
        case closed(MQTTError?)
    }

    enum Action: Sendable, Equatable {
        /// Write (and flush at the end of the batch) a packet.
        case write(MQTTPacket)
        /// CONNACK accepted.
        case connectSucceeded(sessionPresent: Bool)
        /// The connection attempt failed (refused, timed out, closed, protocol error).
        case connectFailed(MQTTError)
        case succeedPublish(UInt16)
        case failPublish(UInt16, MQTTError)
        case succeedSubscribe(UInt16, [MQTTSubscribeReturnCode])
        case failSubscribe(UInt16, MQTTError)
        case succeedUnsubscribe(UInt16)
        case failUnsubscribe(UInt16, MQTTError)
        /// Hand an incoming application message to the user.
        case deliver(MQTTMessage)
        /// Close the connection, after the writes before it in the batch; `nil` for a clean close.
        case close(MQTTError?)
    }

    /// The outcome of a user request (publish, subscribe, unsubscribe).
    enum RequestResult: Sendable, Equatable {
        /// Write the packet. The request completes with a `succeed…`/`fail…` action for `packetIdentifier`, or,
        /// when it is `nil` (QoS 0 publish), as soon as the packet is written.
        case write(MQTTPacket, packetIdentifier: UInt16?)
        /// The request cannot be carried out.
        case fail(MQTTError)
    }

    struct InFlightPublish: Sendable, Equatable {
        var publish: MQTTPacket.Publish
        var deadline: NIODeadline
        var lastSent: NIODeadline
        var sequence: Int
    }

    struct PendingRequest: Sendable, Equatable {
        var expectedReturnCodes: Int
        var deadline: NIODeadline
    }

    let configuration: Configuration
    private(set) var state: State = .disconnected
    private(set) var inFlightPublishes: [UInt16: InFlightPublish] = [:]
    private(set) var pendingSubscribes: [UInt16: PendingRequest] = [:]
    private(set) var pendingUnsubscribes: [UInt16: PendingRequest] = [:]
    private(set) var lastPacketSent: NIODeadline?
    private(set) var lastPacketReceived: NIODeadline?
    private(set) var pingSentAt: NIODeadline?
    private var nextPacketIdentifier: UInt16
    private var nextSequence = 0

    /// `firstPacketIdentifier` exists for tests of identifier wrap-around.
    init(configuration: Configuration, firstPacketIdentifier: UInt16 = 1) {
        self.configuration = configuration
        self.nextPacketIdentifier = max(firstPacketIdentifier, 1)
    }

    /// Whether the owner must keep calling ``tick(now:)``: a deadline or keep-alive is being tracked.
    var needsTimer: Bool {
        switch self.state {
        case .connecting, .connected: return true
        case .disconnected, .refused, .closing, .disconnecting, .closed:
            return !self.inFlightPublishes.isEmpty || !self.pendingSubscribes.isEmpty
                || !self.pendingUnsubscribes.isEmpty
        }
    }

    var isConnected: Bool {
        if case .connected = self.state { return true }
        return false
    }

    // MARK: - Connection events

    /// The transport is up: send CONNECT and wait for CONNACK.
    mutating func connectionEstablished(now: NIODeadline) -> [Action] {
        switch self.state {
        case .disconnected, .closed:
            self.state = .connecting(connackDeadline: now + self.configuration.connectTimeout)
            self.pingSentAt = nil
            self.lastPacketReceived = now
            let connect = MQTTPacket.Connect(
                clientIdentifier: self.configuration.clientIdentifier,
                cleanSession: self.configuration.cleanSession,
                keepAliveSeconds: self.configuration.keepAliveSeconds,
                username: self.configuration.username,
                password: self.configuration.password,
                will: self.configuration.will
            )
            return [self.write(.connect(connect), now: now)]
        case .connecting, .connected, .refused, .closing, .disconnecting:
            return [.close(.protocolViolation("a second connection was established in state \(self.state)"))]
        }
    }

    /// A packet arrived from the broker.
    mutating func packetReceived(_ packet: MQTTPacket, now: NIODeadline) -> [Action] {
        switch self.state {
        case .connecting:
            self.lastPacketReceived = now
            guard case .connack(let connack) = packet else {
                return self.closeWithError(.protocolViolation("expected CONNACK, received \(packet.packetType)"))
            }
            guard connack.returnCode == .accepted else {
                let error = MQTTError(
                    .connectionRefused(connack.returnCode),
                    "broker refused the connection: \(connack.returnCode) (return code \(connack.returnCode.rawValue))"
                )
                self.state = .refused(error)
                return [.connectFailed(error)]
                    + self.failRequests(error, includingSession: self.configuration.cleanSession) + [.close(error)]
            }
            self.state = .connected(sessionPresent: connack.sessionPresent)
            return [.connectSucceeded(sessionPresent: connack.sessionPresent)] + self.resendInFlight(now: now)
        case .connected:
            self.lastPacketReceived = now
            return self.connectedPacketReceived(packet, now: now)
        case .disconnected, .refused, .closing, .disconnecting, .closed:
            // The connection is going away; nothing the broker says matters any more.
            return []
        }
    }

    /// The transport closed (for whatever reason).
    mutating func connectionClosed(now: NIODeadline) -> [Action] {
        self.pingSentAt = nil
        switch self.state {
        case .connecting:
            let error = MQTTError(.connectionClosed, "connection closed before CONNACK")
            self.state = .closed(error)
            return [.connectFailed(error)] + self.failRequests(error, includingSession: self.configuration.cleanSession)
        case .connected:
            let error = MQTTError(.connectionClosed, "connection closed by the broker or the network")
            self.state = .closed(error)
            return self.failRequests(error, includingSession: self.configuration.cleanSession)
        case .refused(let error), .closing(let error):
            self.state = .closed(error)
            return []
        case .disconnecting:
            self.state = .closed(nil)
            return []
        case .disconnected, .closed:
            return []
        }
    }

    /// A transport or decoding error occurred: close the connection.
    mutating func errorCaught(_ error: MQTTError, now: NIODeadline) -> [Action] {
        switch self.state {
        case .connecting, .connected:
            return self.closeWithError(error)
        case .disconnected, .refused, .closing, .disconnecting, .closed:
            return []
        }
    }

    /// The user disconnects: send DISCONNECT, fail everything pending, close.
    mutating func disconnect(now: NIODeadline) -> [Action] {
        let error = MQTTError(.connectionClosed, "the client disconnected")
        switch self.state {
        case .connected:
            self.state = .disconnecting
            let disconnect = self.write(.disconnect, now: now)
            return [disconnect] + self.failRequests(error, includingSession: true) + [.close(nil)]
        case .connecting:
            self.state = .disconnecting
            return [.connectFailed(error)] + self.failRequests(error, includingSession: true) + [.close(nil)]
        case .refused, .closing:
            self.state = .disconnecting
            return self.failRequests(error, includingSession: true)
        case .disconnecting:
            return []
        case .disconnected, .closed:
            return self.failRequests(error, includingSession: true)
        }
    }

    // MARK: - User requests

    /// Starts a publish. QoS 1 messages are tracked until PUBACK, timeout or (clean session) connection loss.
    mutating func publish(_ message: MQTTMessage, now: NIODeadline) -> RequestResult {
        guard self.isConnected else { return .fail(MQTTError(.notConnected, "cannot publish: not connected")) }
        if let problem = MQTTTopic.topicNameProblem(message.topic) {
            return .fail(.invalidArgument("invalid topic name '\(message.topic)': \(problem)"))
        }
        let size = 2 + message.topic.utf8.count + 2 + message.payload.readableBytes
        guard size <= MQTTPacket.maximumRemainingLength else {
            return .fail(MQTTError(.packetTooLarge, "PUBLISH of \(size) bytes exceeds the MQTT limit"))
        }
        switch message.qos {
        case .atMostOnce:
            return .write(self.recordWrite(.publish(.init(message: message)), now: now), packetIdentifier: nil)
        case .atLeastOnce:
            guard let id = self.allocatePacketIdentifier() else { return .fail(Self.exhausted) }
            let publish = MQTTPacket.Publish(message: message, packetIdentifier: id)
            self.inFlightPublishes[id] = InFlightPublish(
                publish: publish,
                deadline: now + self.configuration.acknowledgementTimeout,
                lastSent: now,
                sequence: self.nextSequence
            )
            self.nextSequence += 1
            return .write(self.recordWrite(.publish(publish), now: now), packetIdentifier: id)
        case .exactlyOnce:
            return .fail(MQTTError(.unsupported, "QoS 2 is not supported"))
        }
    }

    /// Starts a subscription; completes with the SUBACK's return codes.
    mutating func subscribe(_ subscriptions: [MQTTSubscription], now: NIODeadline) -> RequestResult {
        guard self.isConnected else { return .fail(MQTTError(.notConnected, "cannot subscribe: not connected")) }
        guard !subscriptions.isEmpty else { return .fail(.invalidArgument("subscribe needs at least one filter")) }
        for subscription in subscriptions {
            if let problem = MQTTTopic.topicFilterProblem(subscription.topicFilter) {
                return .fail(.invalidArgument("invalid topic filter '\(subscription.topicFilter)': \(problem)"))
            }
            if subscription.qos == .exactlyOnce {
                return .fail(MQTTError(.unsupported, "QoS 2 subscriptions are not supported"))
            }
        }
        guard let id = self.allocatePacketIdentifier() else { return .fail(Self.exhausted) }
        self.pendingSubscribes[id] = PendingRequest(
            expectedReturnCodes: subscriptions.count,
            deadline: now + self.configuration.acknowledgementTimeout
        )
        let packet = MQTTPacket.subscribe(.init(packetIdentifier: id, subscriptions: subscriptions))
        return .write(self.recordWrite(packet, now: now), packetIdentifier: id)
    }

    /// Starts an unsubscription; completes with the UNSUBACK.
    mutating func unsubscribe(_ topicFilters: [String], now: NIODeadline) -> RequestResult {
        guard self.isConnected else { return .fail(MQTTError(.notConnected, "cannot unsubscribe: not connected")) }
        guard !topicFilters.isEmpty else { return .fail(.invalidArgument("unsubscribe needs at least one filter")) }
        for filter in topicFilters {
            if let problem = MQTTTopic.topicFilterProblem(filter) {
                return .fail(.invalidArgument("invalid topic filter '\(filter)': \(problem)"))
            }
        }
        guard let id = self.allocatePacketIdentifier() else { return .fail(Self.exhausted) }
        self.pendingUnsubscribes[id] = PendingRequest(
            expectedReturnCodes: 0,
            deadline: now + self.configuration.acknowledgementTimeout
        )
        let packet = MQTTPacket.unsubscribe(.init(packetIdentifier: id, topicFilters: topicFilters))
        return .write(self.recordWrite(packet, now: now), packetIdentifier: id)
    }

    // MARK: - Time

    /// Checks deadlines: request timeouts, CONNACK timeout, keep-alive (PINGREQ or dead connection) and re-sends.
    mutating func tick(now: NIODeadline) -> [Action] {
        var actions: [Action] = []
        for id in Self.expired(self.inFlightPublishes.mapValues(\.deadline), now: now) {
            self.inFlightPublishes[id] = nil
            actions.append(.failPublish(id, MQTTError(.timeout, "no PUBACK for packet \(id) in time")))
        }
        for id in Self.expired(self.pendingSubscribes.mapValues(\.deadline), now: now) {
            self.pendingSubscribes[id] = nil
            actions.append(.failSubscribe(id, MQTTError(.timeout, "no SUBACK for packet \(id) in time")))
        }
        for id in Self.expired(self.pendingUnsubscribes.mapValues(\.deadline), now: now) {
            self.pendingUnsubscribes[id] = nil
            actions.append(.failUnsubscribe(id, MQTTError(.timeout, "no UNSUBACK for packet \(id) in time")))
        }

        switch self.state {
        case .connecting(let deadline):
            if now >= deadline {
                let error = MQTTError(.timeout, "no CONNACK within \(self.configuration.connectTimeout)")
                actions += self.closeWithError(error)
            }
        case .connected:
            let keepAlive = TimeAmount.seconds(Int64(self.configuration.keepAliveSeconds))
            if self.configuration.keepAliveSeconds > 0 {
                if let pingSentAt = self.pingSentAt {
                    if now - pingSentAt >= keepAlive {
                        let error = MQTTError(
                            .timeout,
                            "no PINGRESP within the keep-alive of \(self.configuration.keepAliveSeconds) s"
                        )
                        return actions + self.closeWithError(error)
                    }
                } else if self.isDue(self.lastPacketSent, interval: keepAlive, now: now)
                    || self.isDue(self.lastPacketReceived, interval: keepAlive, now: now)
                {
                    self.pingSentAt = now
                    actions.append(self.write(.pingreq, now: now))
                }
            }
            if let interval = self.configuration.retransmitInterval {
                for entry in self.inFlightPublishes.values.sorted(by: { $0.sequence < $1.sequence })
                where now - entry.lastSent >= interval {
                    actions.append(self.resend(entry, now: now))
                }
            }
        case .disconnected, .refused, .closing, .disconnecting, .closed:
            break
        }
        return actions
    }

    // MARK: - Private

    private static let exhausted = MQTTError(
        .packetIdentifiersExhausted,
        "all 65535 packet identifiers are awaiting acknowledgement"
    )

    private static func expired(_ deadlines: [UInt16: NIODeadline], now: NIODeadline) -> [UInt16] {
        deadlines.filter { now >= $0.value }.keys.sorted()
    }

    private func isDue(_ last: NIODeadline?, interval: TimeAmount, now: NIODeadline) -> Bool {
        guard let last else { return true }
        return now - last >= interval
    }

    private mutating func connectedPacketReceived(_ packet: MQTTPacket, now: NIODeadline) -> [Action] {
        switch packet {
        case .publish(let publish):
            switch publish.message.qos {
            case .atMostOnce:
                return [.deliver(publish.message)]
            case .atLeastOnce:
                guard let id = publish.packetIdentifier else {
                    return self.closeWithError(.protocolViolation("QoS 1 PUBLISH without packet identifier"))
                }
                return [.deliver(publish.message), self.write(.puback(packetIdentifier: id), now: now)]
            case .exactlyOnce:
                return self.closeWithError(.protocolViolation("received a QoS 2 PUBLISH; QoS 2 is not supported"))
            }
        case .puback(let id):
            guard self.inFlightPublishes.removeValue(forKey: id) != nil else { return [] }
            return [.succeedPublish(id)]
        case .suback(let suback):
            let id = suback.packetIdentifier
            guard let pending = self.pendingSubscribes.removeValue(forKey: id) else { return [] }
            guard suback.returnCodes.count == pending.expectedReturnCodes else {
                let error = MQTTError.protocolViolation(
                    "SUBACK has \(suback.returnCodes.count) return codes for \(pending.expectedReturnCodes) filters"
                )
                return [.failSubscribe(id, error)]
            }
            return [.succeedSubscribe(id, suback.returnCodes)]
        case .unsuback(let id):
            guard self.pendingUnsubscribes.removeValue(forKey: id) != nil else { return [] }
            return [.succeedUnsubscribe(id)]
        case .pingresp:
            self.pingSentAt = nil
            return []
        case .connect, .connack, .pubrec, .pubrel, .pubcomp, .subscribe, .unsubscribe, .pingreq, .disconnect:
            return self.closeWithError(.protocolViolation("unexpected \(packet.packetType) from the broker"))
        }
    }

    /// Moves to `closing` and fails what must fail; only valid from `connecting` or `connected`.
    private mutating func closeWithError(_ error: MQTTError) -> [Action] {
        var actions: [Action] = []
        if case .connecting = self.state { actions.append(.connectFailed(error)) }
        self.state = .closing(error)
        self.pingSentAt = nil
        actions += self.failRequests(error, includingSession: self.configuration.cleanSession)
        actions.append(.close(error))
        return actions
    }

    /// Fails pending SUBSCRIBE/UNSUBSCRIBE and, if `includingSession`, in-flight QoS 1 publishes.
    private mutating func failRequests(_ error: MQTTError, includingSession: Bool) -> [Action] {
        var actions: [Action] = []
        if includingSession {
            for id in self.inFlightPublishes.keys.sorted() { actions.append(.failPublish(id, error)) }
            self.inFlightPublishes.removeAll()
        }
        for id in self.pendingSubscribes.keys.sorted() { actions.append(.failSubscribe(id, error)) }
        self.pendingSubscribes.removeAll()
        for id in self.pendingUnsubscribes.keys.sorted() { actions.append(.failUnsubscribe(id, error)) }
        self.pendingUnsubscribes.removeAll()
        return actions
    }

    private mutating func resendInFlight(now: NIODeadline) -> [Action] {
        self.inFlightPublishes.values.sorted(by: { $0.sequence < $1.sequence }).map { self.resend($0, now: now) }
    }

    private mutating func resend(_ entry: InFlightPublish, now: NIODeadline) -> Action {
        var publish = entry.publish
        publish.dup = true
        if let id = publish.packetIdentifier { self.inFlightPublishes[id]?.lastSent = now }
        return self.write(.publish(publish), now: now)
    }

    private mutating func write(_ packet: MQTTPacket, now: NIODeadline) -> Action {
        .write(self.recordWrite(packet, now: now))
    }

    private mutating func recordWrite(_ packet: MQTTPacket, now: NIODeadline) -> MQTTPacket {
        self.lastPacketSent = now
        return packet
    }

    /// The next free identifier in 1...65535, wrapping around and skipping identifiers still in use.
    private mutating func allocatePacketIdentifier() -> UInt16? {
        var candidate = self.nextPacketIdentifier
        for _ in 0..<Int(UInt16.max) {
            let following: UInt16 = candidate == .max ? 1 : candidate + 1
            if self.inFlightPublishes[candidate] == nil && self.pendingSubscribes[candidate] == nil
                && self.pendingUnsubscribes[candidate] == nil
            {
                self.nextPacketIdentifier = following
                return candidate
            }
            candidate = following
        }
        return nil
    }
}
