public import Logging
import MachiCore
public import MachiMQTT
import NIOCore

/// The MQTT southbound: one connection to the city's MQTT broker, subscribed to FIWARE's device topics —
/// `/ul/<apikey>/<device>/attrs[/<attr>]`, `/json/<apikey>/<device>/attrs[/<attr>]`, the unprefixed
/// `/<apikey>/<device>/attrs[/<attr>]` (UltraLight, or JSON if the payload starts with `{` or `[`) and the matching
/// `…/cmdexe` command results — and the publisher of commands.
///
/// Messages are decoded and translated as they arrive and handed to a bounded `MeasureBatcher`; one writer takes
/// what is queued as one batch, so that measures of many devices share one transaction. When the writer falls
/// behind, the reader waits (backpressure). Reconnects with backoff when the broker goes away.
public final class MQTTSouthbound: MQTTCommandPublisher, Sendable {
    let agent: IoTAgent
    let client: MQTTClient
    let logger: Logger
    let batcher: MeasureBatcher
    /// The most measures one write transaction takes.
    let batchLimit: Int

    static let topicFilters = [
        "/ul/+/+/attrs", "/ul/+/+/attrs/+", "/json/+/+/attrs", "/json/+/+/attrs/+", "/+/+/attrs", "/+/+/attrs/+",
        "/ul/+/+/cmdexe", "/json/+/+/cmdexe", "/+/+/cmdexe",
    ]

    /// - Parameters:
    ///   - queueCapacity: how many measures may wait for the writer before the reader waits.
    public init(
        agent: IoTAgent,
        configuration: MQTTClient.Configuration,
        queueCapacity: Int = 50_000,
        batchLimit: Int = 5_000,
        logger: Logger
    ) {
        self.agent = agent
        self.client = MQTTClient(configuration: configuration, logger: logger)
        self.logger = logger
        self.batcher = MeasureBatcher(capacity: queueCapacity)
        self.batchLimit = batchLimit
    }

    /// Runs until the task is cancelled: keeps the connection, reads and writes measures.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.keepConnected() }
            group.addTask { await self.read() }
            group.addTask { await self.writeBatches() }
            // Cancellation (shutdown) ends the connection loop; then close the stream and drain the queue.
            await group.next()
            await client.disconnect()
            batcher.finish()
            await group.waitForAll()
        }
    }

    public func publish(topic: String, payload: [UInt8]) async throws {
        try await client.publish(topic: topic, payload: payload, qos: .atLeastOnce)
    }

    /// Connects, subscribes, and does both again whenever the connection is lost; returns when cancelled.
    private func keepConnected() async {
        var delay = Duration.milliseconds(500)
        while !Task.isCancelled {
            if !client.isConnected {
                do {
                    try await client.connect()
                    try await client.subscribe(
                        to: Self.topicFilters.map { MQTTSubscription(topicFilter: $0, qos: .atLeastOnce) }
                    )
                    logger.info(
                        "IoT MQTT southbound connected",
                        metadata: [
                            "mqtt.host": "\(client.configuration.host)", "mqtt.port": "\(client.configuration.port)",
                        ]
                    )
                    delay = .milliseconds(500)
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("IoT MQTT southbound cannot connect", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(30))
                    continue
                }
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    private func read() async {
        for await message in client.messages {
            await handle(message)
        }
    }

    private func writeBatches() async {
        while let batch = await batcher.next(limit: batchLimit) {
            do {
                try await agent.write(batch)
            } catch {
                logger.warning("IoT MQTT measures not all written", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Decodes one message and queues its measures (or records a command result). Never throws: a bad message is
    /// counted and logged with its device id.
    func handle(_ message: MQTTMessage) async {
        guard let topic = DeviceTopic(message.topic) else { return }
        let bytes = Array(message.payload.readableBytesView)
        let startsJSON = bytes.first == UInt8(ascii: "{") || bytes.first == UInt8(ascii: "[")
        let format = topic.format ?? (startsJSON ? .json : .ultraLight)
        do {
            switch topic.kind {
            case .attributes(let single):
                let groups: [MeasureGroup]
                do {
                    groups = try Self.decode(bytes, format: format, attribute: single)
                } catch {
                    agent.statistics.reject()
                    throw error
                }
                // `prepare` counts and logs its own refusals.
                let prepared = try await agent.prepare(apikey: topic.apikey, deviceId: topic.deviceId, groups: groups)
                await batcher.push(prepared)
            case .commandResult:
                let (command, result) = try Self.commandResult(bytes, format: format)
                try await agent.commandResult(
                    apikey: topic.apikey,
                    deviceId: topic.deviceId,
                    command: command,
                    result: result
                )
            }
        } catch {
            logger.notice(
                "IoT MQTT message refused",
                metadata: [
                    "iot.device": "\(topic.deviceId)", "mqtt.topic": "\(message.topic)", "iot.error": "\(error)",
                ]
            )
        }
    }

    static func commandResult(_ bytes: [UInt8], format: PayloadFormat) throws(IoTError) -> (String, String) {
        switch format {
        case .json: return try JSONMeasures.commandResult(bytes)
        case .ultraLight:
            let decoded = try UltraLight.commandResult(String(decoding: bytes, as: UTF8.self))
            return (decoded.command, decoded.result)
        }
    }

    /// Decodes a measures payload; a single-attribute topic's payload is that attribute's raw value.
    static func decode(_ bytes: [UInt8], format: PayloadFormat, attribute: String?) throws(IoTError) -> [MeasureGroup] {
        guard let attribute else {
            switch format {
            case .json: return try JSONMeasures.decode(bytes)
            case .ultraLight: return try UltraLight.decode(utf8: bytes)
            }
        }
        guard UltraLight.isValidKey(attribute) else { throw IoTError(.badPayload, "invalid attribute in the topic") }
        switch format {
        case .json:
            guard let value = try? JSONParser.parse(bytes) else {
                throw IoTError(.badPayload, "the payload of \(attribute) is not valid JSON")
            }
            return [MeasureGroup(values: [(attribute, .json(value))])]
        case .ultraLight:
            return [MeasureGroup(values: [(attribute, .text(String(decoding: bytes, as: UTF8.self)))])]
        }
    }
}

/// A FIWARE device topic: `[/ul|/json]/<apikey>/<device>/attrs[/<attr>]` or `…/cmdexe`.
struct DeviceTopic: Equatable {
    enum Kind: Equatable {
        case attributes(single: String?)
        case commandResult
    }

    var format: PayloadFormat?
    var apikey: String
    var deviceId: String
    var kind: Kind

    init?(_ topic: String) {
        var levels = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard levels.first == "" else { return nil }
        levels.removeFirst()
        if let first = levels.first, let format = PayloadFormat(rawValue: first), levels.count >= 4 {
            self.format = format
            levels.removeFirst()
        } else {
            self.format = nil
        }
        guard levels.count == 3 || levels.count == 4, !levels[0].isEmpty, !levels[1].isEmpty else { return nil }
        apikey = levels[0]
        deviceId = levels[1]
        switch (levels[2], levels.count) {
        case ("attrs", 3): kind = .attributes(single: nil)
        case ("attrs", 4): kind = .attributes(single: levels[3])
        case ("cmdexe", 3): kind = .commandResult
        default: return nil
        }
    }
}
