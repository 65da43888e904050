import NIOCore
import Testing

@testable import MachiMQTT

/// Deterministic clock for the state machine: seconds since an arbitrary origin.
private func at(_ seconds: Double) -> NIODeadline {
    .uptimeNanoseconds(1_000_000_000_000 + UInt64(seconds * 1_000_000_000))
}

private typealias StateMachine = MQTTConnectionStateMachine

private func makeMachine(
    keepAlive: UInt16 = 10,
    cleanSession: Bool = true,
    retransmitInterval: TimeAmount? = nil,
    firstPacketIdentifier: UInt16 = 1
) -> StateMachine {
    StateMachine(
        configuration: .init(
            clientIdentifier: "machi-test",
            keepAliveSeconds: keepAlive,
            cleanSession: cleanSession,
            connectTimeout: .seconds(5),
            acknowledgementTimeout: .seconds(30),
            retransmitInterval: retransmitInterval
        ),
        firstPacketIdentifier: firstPacketIdentifier
    )
}

/// A state machine that went through CONNECT/CONNACK at t = 0.
private func connectedMachine(
    keepAlive: UInt16 = 10,
    cleanSession: Bool = true,
    retransmitInterval: TimeAmount? = nil,
    firstPacketIdentifier: UInt16 = 1
) -> StateMachine {
    var machine = makeMachine(
        keepAlive: keepAlive,
        cleanSession: cleanSession,
        retransmitInterval: retransmitInterval,
        firstPacketIdentifier: firstPacketIdentifier
    )
    _ = machine.connectionEstablished(now: at(0))
    _ = machine.packetReceived(.connack(.init()), now: at(0))
    return machine
}

private let payload = ByteBuffer(string: "{\"id\":\"urn:ngsi-ld:Room:1\"}")

private func message(_ qos: MQTTQoS = .atLeastOnce, topic: String = "machi/notify") -> MQTTMessage {
    MQTTMessage(topic: topic, payload: payload, qos: qos)
}

/// Publishes and returns the allocated packet identifier.
private func publishQoS1(_ machine: inout StateMachine, now: NIODeadline = at(1)) -> UInt16? {
    guard case .write(_, let id) = machine.publish(message(), now: now) else { return nil }
    return id
}

@Suite("MQTT connection state machine")
struct MQTTConnectionStateMachineTests {
    // MARK: Connect

    @Test("CONNECT is sent when the transport is up, CONNACK 0 connects")
    func connectSuccess() {
        var machine = makeMachine()
        #expect(machine.state == .disconnected)
        let actions = machine.connectionEstablished(now: at(0))
        #expect(
            actions == [
                .write(.connect(.init(clientIdentifier: "machi-test", cleanSession: true, keepAliveSeconds: 10)))
            ]
        )
        #expect(machine.state == .connecting(connackDeadline: at(5)))
        #expect(
            machine.packetReceived(.connack(.init(sessionPresent: false)), now: at(1)) == [
                .connectSucceeded(sessionPresent: false)
            ]
        )
        #expect(machine.state == .connected(sessionPresent: false))
        #expect(machine.isConnected)
    }

    @Test(
        "each CONNACK refusal code fails the connect",
        arguments: MQTTConnectReturnCode.allCases.filter { $0 != .accepted }
    )
    func connectRefused(returnCode: MQTTConnectReturnCode) {
        var machine = makeMachine()
        _ = machine.connectionEstablished(now: at(0))
        let actions = machine.packetReceived(.connack(.init(returnCode: returnCode)), now: at(1))
        #expect(actions.count == 2)
        guard case .connectFailed(let error) = actions.first, case .close(let closeError) = actions.last else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .connectionRefused(returnCode))
        #expect(closeError == error)
        #expect(machine.state == .refused(error))
        #expect(!machine.isConnected)
        #expect(machine.connectionClosed(now: at(1)) == [])
        #expect(machine.state == .closed(error))
        // A new attempt is possible afterwards.
        #expect(machine.connectionEstablished(now: at(2)).count == 1)
    }

    @Test("no CONNACK within the connect timeout")
    func connackTimeout() {
        var machine = makeMachine()
        _ = machine.connectionEstablished(now: at(0))
        #expect(machine.tick(now: at(4.9)) == [])
        let actions = machine.tick(now: at(5))
        guard case .connectFailed(let error) = actions.first else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .timeout)
        #expect(actions.last == .close(error))
    }

    @Test("a packet other than CONNACK while connecting is a protocol violation")
    func packetBeforeConnack() {
        var machine = makeMachine()
        _ = machine.connectionEstablished(now: at(0))
        let actions = machine.packetReceived(.pingresp, now: at(1))
        guard case .connectFailed(let error) = actions.first else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .protocolViolation)
        #expect(actions.last == .close(error))
    }

    @Test("transport closes before CONNACK")
    func closedWhileConnecting() {
        var machine = makeMachine()
        _ = machine.connectionEstablished(now: at(0))
        let actions = machine.connectionClosed(now: at(1))
        guard case .connectFailed(let error) = actions.first else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .connectionClosed)
    }

    @Test("CONNECT carries credentials and will")
    func connectPacketContents() {
        let will = MQTTMessage(
            topic: "machi/status",
            payload: ByteBuffer(string: "gone"),
            qos: .atLeastOnce,
            retain: true
        )
        var machine = StateMachine(
            configuration: .init(
                clientIdentifier: "c",
                username: "u",
                password: Array("p".utf8),
                keepAliveSeconds: 0,
                cleanSession: false,
                will: will
            )
        )
        let expected = MQTTPacket.Connect(
            clientIdentifier: "c",
            cleanSession: false,
            keepAliveSeconds: 0,
            username: "u",
            password: Array("p".utf8),
            will: will
        )
        #expect(machine.connectionEstablished(now: at(0)) == [.write(.connect(expected))])
    }

    // MARK: Packet identifiers

    @Test("packet identifiers are allocated in sequence and shared by publish, subscribe and unsubscribe")
    func sequentialIdentifiers() {
        var machine = connectedMachine()
        #expect(publishQoS1(&machine) == 1)
        #expect(
            machine.subscribe([.init(topicFilter: "a")], now: at(1))
                == .write(
                    .subscribe(.init(packetIdentifier: 2, subscriptions: [.init(topicFilter: "a")])),
                    packetIdentifier: 2
                )
        )
        #expect(
            machine.unsubscribe(["a"], now: at(1))
                == .write(.unsubscribe(.init(packetIdentifier: 3, topicFilters: ["a"])), packetIdentifier: 3)
        )
        #expect(publishQoS1(&machine) == 4)
        // QoS 0 needs no identifier.
        #expect(
            machine.publish(message(.atMostOnce), now: at(1))
                == .write(.publish(.init(message: message(.atMostOnce))), packetIdentifier: nil)
        )
        #expect(publishQoS1(&machine) == 5)
    }

    @Test("packet identifiers wrap from 65535 to 1")
    func identifierWrap() {
        var machine = connectedMachine(firstPacketIdentifier: 65534)
        #expect(publishQoS1(&machine) == 65534)
        #expect(publishQoS1(&machine) == 65535)
        #expect(publishQoS1(&machine) == 1)
        #expect(publishQoS1(&machine) == 2)
    }

    @Test("identifiers in flight are skipped; exhaustion is reported")
    func identifierSkipAndExhaustion() {
        var machine = connectedMachine()
        for expected in 1...UInt16.max {
            guard publishQoS1(&machine) == expected else {
                Issue.record("expected identifier \(expected)")
                return
            }
        }
        #expect(machine.inFlightPublishes.count == 65535)
        guard case .fail(let error) = machine.publish(message(), now: at(1)) else {
            Issue.record("expected exhaustion")
            return
        }
        #expect(error.code == .packetIdentifiersExhausted)
        // Free 2 and 40000: the allocator wraps, skips 1 and uses the free ones in order.
        #expect(machine.packetReceived(.puback(packetIdentifier: 40000), now: at(2)) == [.succeedPublish(40000)])
        #expect(machine.packetReceived(.puback(packetIdentifier: 2), now: at(2)) == [.succeedPublish(2)])
        #expect(publishQoS1(&machine) == 2)
        #expect(publishQoS1(&machine) == 40000)
        #expect(publishQoS1(&machine) == nil)
    }

    // MARK: QoS 1 publish

    @Test("PUBACK completes only the publish with its identifier")
    func pubackMatchesIdentifier() {
        var machine = connectedMachine()
        let first = publishQoS1(&machine)
        let second = publishQoS1(&machine)
        let third = publishQoS1(&machine)
        #expect([first, second, third] == [1, 2, 3])
        #expect(machine.packetReceived(.puback(packetIdentifier: 2), now: at(2)) == [.succeedPublish(2)])
        #expect(Set(machine.inFlightPublishes.keys) == [1, 3])
        // A second PUBACK for the same identifier is ignored.
        #expect(machine.packetReceived(.puback(packetIdentifier: 2), now: at(2)) == [])
        #expect(Set(machine.inFlightPublishes.keys) == [1, 3])
    }

    @Test("a PUBACK, SUBACK or UNSUBACK for an unknown identifier is ignored")
    func unknownAcknowledgementsIgnored() {
        var machine = connectedMachine()
        _ = publishQoS1(&machine)
        #expect(machine.packetReceived(.puback(packetIdentifier: 999), now: at(2)) == [])
        #expect(
            machine.packetReceived(.suback(.init(packetIdentifier: 999, returnCodes: [.failure])), now: at(2)) == []
        )
        #expect(machine.packetReceived(.unsuback(packetIdentifier: 999), now: at(2)) == [])
        #expect(machine.isConnected)
        #expect(Set(machine.inFlightPublishes.keys) == [1])
    }

    @Test("publish writes the PUBLISH packet with QoS, retain and identifier")
    func publishPacket() {
        var machine = connectedMachine()
        let retained = MQTTMessage(topic: "t", payload: payload, qos: .atLeastOnce, retain: true)
        #expect(
            machine.publish(retained, now: at(1))
                == .write(.publish(.init(message: retained, packetIdentifier: 1)), packetIdentifier: 1)
        )
    }

    @Test("PUBACK timeout fails the publish and frees the identifier")
    func pubackTimeout() {
        var machine = connectedMachine(keepAlive: 0)
        _ = publishQoS1(&machine, now: at(1))
        #expect(machine.tick(now: at(30.9)) == [])
        let actions = machine.tick(now: at(31))
        guard case .failPublish(1, let error) = actions.first, actions.count == 1 else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .timeout)
        #expect(machine.inFlightPublishes.isEmpty)
        // The late PUBACK is ignored.
        #expect(machine.packetReceived(.puback(packetIdentifier: 1), now: at(32)) == [])
    }

    @Test("unacknowledged publishes are re-sent with DUP after the retransmit interval")
    func retransmitOnTimeout() {
        var machine = connectedMachine(keepAlive: 0, retransmitInterval: .seconds(5))
        _ = publishQoS1(&machine, now: at(1))
        #expect(machine.tick(now: at(5.9)) == [])
        let dup = MQTTPacket.publish(.init(message: message(), packetIdentifier: 1, dup: true))
        #expect(machine.tick(now: at(6)) == [.write(dup)])
        #expect(machine.tick(now: at(10)) == [])
        #expect(machine.tick(now: at(11)) == [.write(dup)])
        #expect(machine.packetReceived(.puback(packetIdentifier: 1), now: at(12)) == [.succeedPublish(1)])
        #expect(machine.tick(now: at(20)) == [])
    }

    @Test("clean session: connection loss fails in-flight publishes")
    func connectionLossCleanSession() {
        var machine = connectedMachine()
        _ = publishQoS1(&machine)
        _ = machine.subscribe([.init(topicFilter: "a")], now: at(1))
        let actions = machine.connectionClosed(now: at(2))
        #expect(actions.count == 2)
        guard case .failPublish(1, let error) = actions.first, case .failSubscribe(2, _) = actions.last else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .connectionClosed)
        #expect(machine.inFlightPublishes.isEmpty)
        #expect(!machine.needsTimer)
    }

    @Test("persistent session: in-flight publishes are re-sent with DUP after reconnecting")
    func resendAfterReconnect() {
        var machine = connectedMachine(cleanSession: false)
        let first = publishQoS1(&machine, now: at(1))
        let second = publishQoS1(&machine, now: at(2))
        #expect(machine.connectionClosed(now: at(3)) == [])
        #expect(Set(machine.inFlightPublishes.keys) == [1, 2])
        #expect(machine.needsTimer)
        if case .fail(let error) = machine.publish(message(), now: at(3)) {
            #expect(error.code == .notConnected)
        } else {
            Issue.record("publish while disconnected must fail")
        }

        _ = machine.connectionEstablished(now: at(4))
        let actions = machine.packetReceived(.connack(.init(sessionPresent: true)), now: at(4))
        #expect(
            actions == [
                .connectSucceeded(sessionPresent: true),
                .write(.publish(.init(message: message(), packetIdentifier: first, dup: true))),
                .write(.publish(.init(message: message(), packetIdentifier: second, dup: true))),
            ]
        )
        #expect(machine.packetReceived(.puback(packetIdentifier: 2), now: at(5)) == [.succeedPublish(2)])
        #expect(machine.packetReceived(.puback(packetIdentifier: 1), now: at(5)) == [.succeedPublish(1)])
    }

    @Test("persistent session: publishes still time out while disconnected")
    func timeoutWhileDisconnected() {
        var machine = connectedMachine(cleanSession: false)
        _ = publishQoS1(&machine, now: at(1))
        _ = machine.connectionClosed(now: at(2))
        let actions = machine.tick(now: at(31))
        guard case .failPublish(1, let error) = actions.first else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .timeout)
        #expect(!machine.needsTimer)
    }

    // MARK: Incoming publishes

    @Test("incoming QoS 1 PUBLISH is delivered and acknowledged with PUBACK")
    func incomingQoS1() {
        var machine = connectedMachine()
        let incoming = MQTTPacket.publish(.init(message: message(), packetIdentifier: 77))
        #expect(
            machine.packetReceived(incoming, now: at(1)) == [
                .deliver(message()), .write(.puback(packetIdentifier: 77)),
            ]
        )
        // A DUP re-delivery is delivered and acknowledged again (QoS 1 is at-least-once).
        let dup = MQTTPacket.publish(.init(message: message(), packetIdentifier: 77, dup: true))
        #expect(
            machine.packetReceived(dup, now: at(2)) == [.deliver(message()), .write(.puback(packetIdentifier: 77))]
        )
    }

    @Test("incoming QoS 0 PUBLISH is delivered without acknowledgement")
    func incomingQoS0() {
        var machine = connectedMachine()
        let incoming = MQTTPacket.publish(.init(message: message(.atMostOnce)))
        #expect(machine.packetReceived(incoming, now: at(1)) == [.deliver(message(.atMostOnce))])
    }

    @Test(
        "packets a broker must not send close the connection",
        arguments: [
            MQTTPacket.publish(.init(message: message(.exactlyOnce), packetIdentifier: 5)),
            .pubrec(packetIdentifier: 1), .pubrel(packetIdentifier: 1), .pubcomp(packetIdentifier: 1),
            .connack(.init()), .connect(.init(clientIdentifier: "x")), .pingreq, .disconnect,
            .subscribe(.init(packetIdentifier: 1, subscriptions: [.init(topicFilter: "a")])),
            .unsubscribe(.init(packetIdentifier: 1, topicFilters: ["a"])),
        ]
    )
    func protocolViolations(packet: MQTTPacket) {
        var machine = connectedMachine()
        _ = publishQoS1(&machine)
        let actions = machine.packetReceived(packet, now: at(1))
        guard case .failPublish(1, let error) = actions.first, actions.last == .close(error) else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .protocolViolation)
        // Everything after the decision to close is ignored.
        #expect(machine.packetReceived(.puback(packetIdentifier: 1), now: at(1)) == [])
        #expect(machine.connectionClosed(now: at(2)) == [])
        #expect(machine.state == .closed(error))
    }

    @Test("a decoding error closes the connection with that error")
    func decodingError() {
        var machine = connectedMachine()
        let error = MQTTError(.malformedPacket, "bad")
        #expect(machine.errorCaught(error, now: at(1)) == [.close(error)])
        #expect(machine.state == .closing(error))
    }

    // MARK: Subscribe / unsubscribe

    @Test("SUBACK completes the subscribe with the granted QoS or failure")
    func subscribeFlow() {
        var machine = connectedMachine()
        let filters = [MQTTSubscription(topicFilter: "a/#", qos: .atLeastOnce), MQTTSubscription(topicFilter: "b")]
        #expect(
            machine.subscribe(filters, now: at(1))
                == .write(.subscribe(.init(packetIdentifier: 1, subscriptions: filters)), packetIdentifier: 1)
        )
        let codes: [MQTTSubscribeReturnCode] = [.granted(.atMostOnce), .failure]
        #expect(
            machine.packetReceived(.suback(.init(packetIdentifier: 1, returnCodes: codes)), now: at(2)) == [
                .succeedSubscribe(1, codes)
            ]
        )
        #expect(machine.pendingSubscribes.isEmpty)
    }

    @Test("SUBACK with the wrong number of return codes fails the subscribe")
    func subackCountMismatch() {
        var machine = connectedMachine()
        _ = machine.subscribe([.init(topicFilter: "a"), .init(topicFilter: "b")], now: at(1))
        let actions = machine.packetReceived(.suback(.init(packetIdentifier: 1, returnCodes: [.failure])), now: at(2))
        guard case .failSubscribe(1, let error) = actions.first else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .protocolViolation)
    }

    @Test("UNSUBACK completes the unsubscribe")
    func unsubscribeFlow() {
        var machine = connectedMachine()
        _ = machine.unsubscribe(["a", "b/+"], now: at(1))
        #expect(machine.packetReceived(.unsuback(packetIdentifier: 1), now: at(2)) == [.succeedUnsubscribe(1)])
    }

    @Test("SUBACK and UNSUBACK time out")
    func subscribeTimeouts() {
        var machine = connectedMachine(keepAlive: 0)
        _ = machine.subscribe([.init(topicFilter: "a")], now: at(1))
        _ = machine.unsubscribe(["a"], now: at(1))
        let actions = machine.tick(now: at(31))
        #expect(actions.count == 2)
        guard case .failSubscribe(1, let error) = actions.first, case .failUnsubscribe(2, _) = actions.last else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .timeout)
    }

    // MARK: Request validation

    @Test("requests fail when not connected")
    func requestsWhileDisconnected() {
        var machine = makeMachine()
        for result in [
            machine.publish(message(), now: at(0)),
            machine.subscribe([.init(topicFilter: "a")], now: at(0)),
            machine.unsubscribe(["a"], now: at(0)),
        ] {
            guard case .fail(let error) = result else {
                Issue.record("expected failure, got \(result)")
                continue
            }
            #expect(error.code == .notConnected)
        }
    }

    @Test(
        "invalid requests are rejected without allocating an identifier",
        arguments: [
            ("publish QoS 2", MQTTError.Code.unsupported),
            ("publish to a wildcard topic", .invalidArgument),
            ("publish to an empty topic", .invalidArgument),
            ("subscribe with QoS 2", .unsupported),
            ("subscribe to nothing", .invalidArgument),
            ("subscribe to an invalid filter", .invalidArgument),
            ("unsubscribe from nothing", .invalidArgument),
            ("unsubscribe from an invalid filter", .invalidArgument),
        ]
    )
    func invalidRequests(request: String, code: MQTTError.Code) {
        var machine = connectedMachine()
        let result: StateMachine.RequestResult =
            switch request {
            case "publish QoS 2": machine.publish(message(.exactlyOnce), now: at(1))
            case "publish to a wildcard topic": machine.publish(message(topic: "a/+"), now: at(1))
            case "publish to an empty topic": machine.publish(message(topic: ""), now: at(1))
            case "subscribe with QoS 2": machine.subscribe([.init(topicFilter: "a", qos: .exactlyOnce)], now: at(1))
            case "subscribe to nothing": machine.subscribe([], now: at(1))
            case "subscribe to an invalid filter": machine.subscribe([.init(topicFilter: "a#")], now: at(1))
            case "unsubscribe from nothing": machine.unsubscribe([], now: at(1))
            default: machine.unsubscribe(["#/a"], now: at(1))
            }
        guard case .fail(let error) = result else {
            Issue.record("expected failure, got \(result)")
            return
        }
        #expect(error.code == code)
        #expect(publishQoS1(&machine) == 1)
    }

    // MARK: Keep-alive

    @Test("PINGREQ after keepAlive of silence; dead connection when PINGRESP is missing")
    func keepAliveSchedule() {
        var machine = connectedMachine(keepAlive: 10)
        #expect(machine.tick(now: at(9.9)) == [])
        #expect(machine.tick(now: at(10)) == [.write(.pingreq)])
        #expect(machine.pingSentAt == at(10))
        // Only one PINGREQ outstanding.
        #expect(machine.tick(now: at(15)) == [])
        #expect(machine.packetReceived(.pingresp, now: at(16)) == [])
        #expect(machine.pingSentAt == nil)
        // Nothing was sent since the PINGREQ at 10 s.
        #expect(machine.tick(now: at(19.9)) == [])
        #expect(machine.tick(now: at(20)) == [.write(.pingreq)])
        // No PINGRESP this time.
        #expect(machine.tick(now: at(29.9)) == [])
        let actions = machine.tick(now: at(30))
        guard case .close(let error?) = actions.last else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .timeout)
        #expect(machine.state == .closing(error))
        #expect(machine.tick(now: at(40)) == [])
    }

    @Test("traffic in both directions postpones the PINGREQ")
    func keepAliveTrafficPostponesPing() {
        var machine = connectedMachine(keepAlive: 10)
        _ = machine.publish(message(.atMostOnce), now: at(6))
        _ = machine.packetReceived(.publish(.init(message: message(.atMostOnce))), now: at(7))
        #expect(machine.tick(now: at(10)) == [])
        #expect(machine.tick(now: at(15.9)) == [])
        #expect(machine.tick(now: at(16)) == [.write(.pingreq)])
    }

    @Test("publishing alone does not postpone the PINGREQ, so a silent broker is detected")
    func keepAliveOutgoingOnly() {
        var machine = connectedMachine(keepAlive: 10)
        for second in stride(from: 2.0, through: 9.0, by: 1.0) {
            _ = machine.publish(message(.atMostOnce), now: at(second))
        }
        #expect(machine.tick(now: at(9.9)) == [])
        #expect(machine.tick(now: at(10)) == [.write(.pingreq)])
    }

    @Test("keepAlive 0 disables pings")
    func keepAliveDisabled() {
        var machine = connectedMachine(keepAlive: 0)
        #expect(machine.tick(now: at(100_000)) == [])
    }

    // MARK: Disconnect

    @Test("disconnect sends DISCONNECT, fails pending requests and closes")
    func disconnect() {
        var machine = connectedMachine(cleanSession: false)
        _ = publishQoS1(&machine)
        let actions = machine.disconnect(now: at(2))
        #expect(actions.count == 3)
        #expect(actions.first == .write(.disconnect))
        guard case .failPublish(1, let error) = actions[1] else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .connectionClosed)
        #expect(actions.last == .close(nil))
        #expect(machine.state == .disconnecting)
        #expect(machine.disconnect(now: at(2)) == [])
        #expect(machine.connectionClosed(now: at(3)) == [])
        #expect(machine.state == .closed(nil))
        #expect(!machine.needsTimer)
    }

    @Test("disconnect while connecting fails the connect")
    func disconnectWhileConnecting() {
        var machine = makeMachine()
        _ = machine.connectionEstablished(now: at(0))
        let actions = machine.disconnect(now: at(1))
        guard case .connectFailed(let error) = actions.first else {
            Issue.record("unexpected actions \(actions)")
            return
        }
        #expect(error.code == .connectionClosed)
        #expect(actions.last == .close(nil))
    }
}
