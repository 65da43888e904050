import Foundation
import Logging
import MachiMQTTTesting
import NIOConcurrencyHelpers
import NIOCore
import Synchronization
import Testing

@testable import MachiMQTT

/// Collects a client's incoming messages in the background so tests can wait for them with a deadline.
private final class MessageCollector: Sendable {
    private let received = NIOLockedValueBox<[MQTTMessage]>([])
    private let task: Task<Void, Never>

    init(_ client: MQTTClient) {
        let received = self.received
        let messages = client.messages
        self.task = Task {
            for await message in messages { received.withLockedValue { $0.append(message) } }
        }
    }

    deinit { self.task.cancel() }

    var messages: [MQTTMessage] { self.received.withLockedValue { $0 } }

    /// Waits until at least `count` messages arrived, or fails after `timeout`.
    func wait(for count: Int, timeout: Duration = .seconds(5)) async throws -> [MQTTMessage] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let messages = self.messages
            if messages.count >= count { return messages }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw MosquittoProcess.Failure(description: "received \(self.messages.count) of \(count) messages in time")
    }
}

private func makeClient(
    _ broker: MosquittoProcess,
    id: String,
    configure: (inout MQTTClient.Configuration) -> Void = { _ in }
) -> MQTTClient {
    var configuration = MQTTClient.Configuration(host: broker.host, port: broker.port, clientIdentifier: id)
    configuration.connectTimeout = .seconds(5)
    configuration.acknowledgementTimeout = .seconds(5)
    configure(&configuration)
    var logger = Logger(label: "machi.mqtt.test")
    logger.logLevel = .critical
    return MQTTClient(configuration: configuration, logger: logger)
}

private func string(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

@Suite("MQTTClient against Mosquitto", .serialized, .timeLimit(.minutes(1)))
struct MQTTClientMosquittoTests {
    @Test("connect and disconnect")
    func connectDisconnect() async throws {
        try await MosquittoProcess.withBroker { broker in
            let client = makeClient(broker, id: "machi-connect")
            #expect(!client.isConnected)
            try await client.connect()
            #expect(client.isConnected)
            try await client.connect()  // already connected: returns at once
            await client.disconnect()
            #expect(!client.isConnected)
            #expect(try await broker.waitForLog("New client connected"))
            #expect(try await broker.waitForLog("Received DISCONNECT from machi-connect"))
            // disconnect() is final.
            let error = await #expect(throws: MQTTError.self) { try await client.connect() }
            #expect(error?.code == .connectionClosed)
            await client.disconnect()  // idempotent
        }
    }

    @Test("subscribe, then receive QoS 0 and QoS 1 publishes from a second client")
    func publishAndReceive() async throws {
        try await MosquittoProcess.withBroker { broker in
            let subscriber = makeClient(broker, id: "machi-subscriber")
            let publisher = makeClient(broker, id: "machi-publisher")
            let collector = MessageCollector(subscriber)
            try await subscriber.connect()
            try await publisher.connect()

            let granted = try await subscriber.subscribe(to: [
                MQTTSubscription(topicFilter: "machi/+/notify", qos: .atLeastOnce),
                MQTTSubscription(topicFilter: "machi/zero/#", qos: .atMostOnce),
            ])
            #expect(granted == [.granted(.atLeastOnce), .granted(.atMostOnce)])

            try await publisher.publish(topic: "machi/a/notify", payload: ByteBuffer(string: "qos0"), qos: .atMostOnce)
            try await publisher.publish(topic: "machi/b/notify", payload: Array("qos1".utf8), qos: .atLeastOnce)
            try await publisher.publish(
                topic: "machi/zero/x",
                payload: ByteBuffer(string: "downgraded"),
                qos: .atLeastOnce
            )
            let large = ByteBuffer(repeating: UInt8(ascii: "x"), count: 200_000)
            try await publisher.publish(topic: "machi/c/notify", payload: large, qos: .atLeastOnce)

            let received = try await collector.wait(for: 4)
            #expect(received.map(\.topic) == ["machi/a/notify", "machi/b/notify", "machi/zero/x", "machi/c/notify"])
            #expect(received.map { string($0.payload) }.prefix(3) == ["qos0", "qos1", "downgraded"])
            #expect(received.map(\.qos) == [.atMostOnce, .atLeastOnce, .atMostOnce, .atLeastOnce])
            #expect(received.last?.payload == large)
            #expect(received.allSatisfy { !$0.retain })
            // The subscriber acknowledged the QoS 1 deliveries.
            #expect(try await broker.waitForLog("Received PUBACK from machi-subscriber"))

            await publisher.disconnect()
            await subscriber.disconnect()
        }
    }

    @Test("a client receives its own publishes, retained messages and stops receiving after unsubscribe")
    func selfSubscribeRetainUnsubscribe() async throws {
        try await MosquittoProcess.withBroker { broker in
            let client = makeClient(broker, id: "machi-self")
            let collector = MessageCollector(client)
            try await client.connect()
            try await client.publish(
                topic: "machi/retained",
                payload: ByteBuffer(string: "r"),
                qos: .atLeastOnce,
                retain: true
            )

            #expect(try await client.subscribe(to: "machi/#", qos: .atLeastOnce) == .granted(.atLeastOnce))
            let retained = try await collector.wait(for: 1)
            #expect(retained.first?.retain == true)
            #expect(retained.first.map { string($0.payload) } == "r")

            try await client.publish(topic: "machi/self", payload: ByteBuffer(string: "me"), qos: .atLeastOnce)
            let mine = try await collector.wait(for: 2)
            #expect(mine.last.map { string($0.payload) } == "me")

            try await client.unsubscribe(from: ["machi/#"])
            try await client.subscribe(to: "other/#")
            try await client.publish(topic: "machi/self", payload: ByteBuffer(string: "ignored"), qos: .atLeastOnce)
            try await client.publish(topic: "other/x", payload: ByteBuffer(string: "after"), qos: .atLeastOnce)
            let all = try await collector.wait(for: 3)
            #expect(all.map { string($0.payload) } == ["r", "me", "after"])
            await client.disconnect()
        }
    }

    @Test("messages finishes after disconnect")
    func messagesFinish() async throws {
        try await MosquittoProcess.withBroker { broker in
            let client = makeClient(broker, id: "machi-finish")
            try await client.connect()
            let consumer = Task {
                var count = 0
                for await _ in client.messages { count += 1 }
                return count
            }
            await client.disconnect()
            #expect(await consumer.value == 0)
        }
    }

    @Test("connecting to a port without broker fails quickly")
    func noBroker() async throws {
        let port = try await MosquittoProcess.freePort()
        let client = MQTTClient(configuration: .init(host: "127.0.0.1", port: port, clientIdentifier: "machi-nobody"))
        let start = ContinuousClock.now
        let error = await #expect(throws: MQTTError.self) { try await client.connect() }
        #expect(error?.code == .connectionFailed)
        #expect(ContinuousClock.now - start < .seconds(2))
        let publishError = await #expect(throws: MQTTError.self) {
            try await client.publish(topic: "a", payload: ByteBuffer(string: "x"))
        }
        #expect(publishError?.code == .notConnected)
        await client.disconnect()
    }

    @Test("wrong or missing credentials are refused with return code 4 or 5; right ones connect")
    func authentication() async throws {
        try await MosquittoProcess.withBroker(.init(users: ["machi": "s3cret"])) { broker in
            for (id, username, password) in [
                ("machi-wrong", "machi", "wrong"), ("machi-anon", nil, nil), ("machi-unknown", "nobody", "x"),
            ] as [(String, String?, String?)] {
                let client = makeClient(broker, id: id) {
                    $0.username = username
                    $0.password = password
                }
                let error = await #expect(throws: MQTTError.self, "\(id)") { try await client.connect() }
                let refused: Set<MQTTError.Code> = [
                    .connectionRefused(.badUsernameOrPassword), .connectionRefused(.notAuthorized),
                ]
                #expect(error.map { refused.contains($0.code) } == true, "\(id): \(String(describing: error))")
                #expect(!client.isConnected)
                await client.disconnect()
            }
            let client = makeClient(broker, id: "machi-right") {
                $0.username = "machi"
                $0.password = "s3cret"
            }
            try await client.connect()
            #expect(client.isConnected)
            await client.disconnect()
        }
    }

    @Test("a refused client can retry with the same MQTTClient")
    func retryAfterRefusal() async throws {
        try await MosquittoProcess.withBroker(.init(users: ["machi": "s3cret"])) { broker in
            let client = makeClient(broker, id: "machi-retry") { $0.username = "machi" }
            await #expect(throws: MQTTError.self) { try await client.connect() }
            await #expect(throws: MQTTError.self) { try await client.connect() }
            #expect(!client.isConnected)
            await client.disconnect()
        }
    }

    @Test("keep-alive of 1 s keeps an idle connection open over several intervals")
    func keepAlive() async throws {
        try await MosquittoProcess.withBroker { broker in
            let client = makeClient(broker, id: "machi-keepalive") { $0.keepAlive = .seconds(1) }
            try await client.connect()
            try await Task.sleep(for: .seconds(4.2))
            #expect(client.isConnected)
            let pings = broker.log.components(separatedBy: "Received PINGREQ from machi-keepalive").count - 1
            #expect(pings >= 3, "log:\n\(broker.log)")
            #expect(!broker.log.contains("machi-keepalive has exceeded timeout"))
            try await client.publish(topic: "machi/alive", payload: ByteBuffer(string: "yes"), qos: .atLeastOnce)
            await client.disconnect()
        }
    }

    @Test("a hung broker is detected by keep-alive and pending publishes fail")
    func hungBroker() async throws {
        try await MosquittoProcess.withBroker { broker in
            let client = makeClient(broker, id: "machi-hung") {
                $0.keepAlive = .seconds(1)
                $0.acknowledgementTimeout = .seconds(30)
            }
            try await client.connect()
            try broker.signal(SIGSTOP)
            let start = ContinuousClock.now
            let error = await #expect(throws: MQTTError.self) {
                try await client.publish(topic: "machi/x", payload: ByteBuffer(string: "x"), qos: .atLeastOnce)
            }
            try broker.signal(SIGCONT)
            #expect(error?.code == .timeout)
            #expect(ContinuousClock.now - start < .seconds(4))
            #expect(!client.isConnected)
            await client.disconnect()
        }
    }

    @Test("after the broker drops the connection, requests fail and connect() reconnects")
    func reconnect() async throws {
        try await MosquittoProcess.withBroker { broker in
            let first = makeClient(broker, id: "machi-same-id")
            let collector = MessageCollector(first)
            try await first.connect()
            try await first.subscribe(to: "machi/reconnect", qos: .atLeastOnce)

            // A second client with the same identifier takes the session over; the broker closes the first.
            let thief = makeClient(broker, id: "machi-same-id")
            try await thief.connect()
            let deadline = ContinuousClock.now + .seconds(5)
            while first.isConnected && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(!first.isConnected)
            let error = await #expect(throws: MQTTError.self) {
                try await first.publish(topic: "machi/reconnect", payload: ByteBuffer(string: "x"), qos: .atLeastOnce)
            }
            #expect(error?.code == .notConnected)
            await thief.disconnect()

            try await first.connect()
            #expect(first.isConnected)
            try await first.subscribe(to: "machi/reconnect", qos: .atLeastOnce)
            try await first.publish(topic: "machi/reconnect", payload: ByteBuffer(string: "back"), qos: .atLeastOnce)
            let received = try await collector.wait(for: 1)
            #expect(received.map { string($0.payload) } == ["back"])
            await first.disconnect()
        }
    }

    @Test("a will message is published when a client vanishes")
    func willMessage() async throws {
        try await MosquittoProcess.withBroker { broker in
            let watcher = makeClient(broker, id: "machi-watcher")
            let collector = MessageCollector(watcher)
            try await watcher.connect()
            try await watcher.subscribe(to: "machi/status/#", qos: .atLeastOnce)

            let will = MQTTMessage(
                topic: "machi/status/dying",
                payload: ByteBuffer(string: "offline"),
                qos: .atLeastOnce
            )
            let dying = makeClient(broker, id: "machi-dying") { $0.will = will }
            try await dying.connect()
            // Take the session over: the broker drops "machi-dying" without DISCONNECT and publishes the will.
            let thief = makeClient(broker, id: "machi-dying")
            try await thief.connect()
            let received = try await collector.wait(for: 1)
            #expect(received.first?.topic == "machi/status/dying")
            #expect(received.first.map { string($0.payload) } == "offline")
            await thief.disconnect()
            await dying.disconnect()
            await watcher.disconnect()
        }
    }

    @Test("invalid requests are rejected locally")
    func invalidRequests() async throws {
        try await MosquittoProcess.withBroker { broker in
            let client = makeClient(broker, id: "machi-invalid")
            try await client.connect()
            let wildcard = await #expect(throws: MQTTError.self) {
                try await client.publish(topic: "a/#", payload: ByteBuffer())
            }
            #expect(wildcard?.code == .invalidArgument)
            let qos2 = await #expect(throws: MQTTError.self) {
                try await client.publish(topic: "a", payload: ByteBuffer(), qos: .exactlyOnce)
            }
            #expect(qos2?.code == .unsupported)
            #expect(client.isConnected)
            await client.disconnect()
        }
    }

    @Test("a slow consumer pauses reading instead of buffering without bound, and loses nothing")
    func slowConsumerBackpressure() async throws {
        try await MosquittoProcess.withBroker { broker in
            let limit = 50
            let consumer = makeClient(broker, id: "machi-slow") { $0.inboundBufferLimit = limit }
            let producer = makeClient(broker, id: "machi-fast")
            try await consumer.connect()
            try await producer.connect()
            try await consumer.subscribe(to: "bridge/strain", qos: .atLeastOnce)
            let count = 600
            let padding = String(repeating: "x", count: 1000)
            for number in 0..<count {
                try await producer.publish(
                    topic: "bridge/strain",
                    payload: Array("\(number) \(padding)".utf8),
                    qos: .atLeastOnce
                )
            }
            try await Task.sleep(for: .milliseconds(500))
            // Nobody consumed yet: the client holds about its limit (one socket read may overshoot it), not all 600.
            let buffered = consumer.inbound.count.load(ordering: .relaxed)
            #expect(buffered >= limit)
            #expect(buffered < limit + 100, "buffered \(buffered) messages with a limit of \(limit)")
            var received: [Int] = []
            for await message in consumer.messages {
                received.append(Int(String(buffer: message.payload).split(separator: " ")[0]) ?? -1)
                if received.count == count { break }
            }
            #expect(received == Array(0..<count))
            await consumer.disconnect()
            await producer.disconnect()
        }
    }

}
