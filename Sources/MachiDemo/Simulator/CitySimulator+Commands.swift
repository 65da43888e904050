import Logging
import MachiCore
import MachiMQTT
import NIOCore
import OrderedCollections
import Synchronization

extension CitySimulator {
    /// The MQTT topic filters on which the IoT agent sends commands to devices of this city.
    ///
    /// UltraLight: `/<apikey>/+/cmd` (the iotagent-ul topic) and `/ul/<apikey>/+/cmd`; JSON: `/json/<apikey>/+/cmd`.
    var commandTopicFilters: [String] {
        var filters: [String] = []
        for group in self.city.groups
        where self.city.devices.contains(where: { $0.apikey == group.apikey && !$0.commands.isEmpty }) {
            switch group.format {
            case .ultraLight: filters += ["/\(group.apikey)/+/cmd", "/ul/\(group.apikey)/+/cmd"]
            case .json: filters.append("/json/\(group.apikey)/+/cmd")
            }
        }
        return filters
    }

    /// Connects (once) and subscribes to the command topics; logs instead of throwing.
    func connect(_ mqtt: MQTTClient) async {
        do {
            try await mqtt.connect()
            let filters = self.commandTopicFilters
            if !filters.isEmpty {
                try await mqtt.subscribe(to: filters.map { MQTTSubscription(topicFilter: $0, qos: .atLeastOnce) })
            }
            self.logger.info(
                "demo connected to MQTT broker",
                metadata: ["mqtt.host": "\(mqtt.configuration.host)", "mqtt.port": "\(mqtt.configuration.port)"]
            )
        } catch is CancellationError {
            return
        } catch {
            self.reporter.report(
                "mqtt.connect",
                "cannot connect to the MQTT broker",
                metadata: ["mqtt.host": "\(mqtt.configuration.host)", "error": "\(error)"]
            )
        }
    }

    /// Reconnects every 2 s while the connection is down.
    func keepConnected(_ mqtt: MQTTClient) async {
        await Self.every(.seconds(2)) {
            if !mqtt.isConnected { await self.connect(mqtt) }
        }
    }

    /// Answers commands until the task is cancelled: applies them, publishes the result on `…/cmdexe`, and for a
    /// trap `reset` reports the reopened trap at once.
    func answerCommands(_ mqtt: MQTTClient, southbound: Southbound, time: SimulationTime) async {
        for await message in mqtt.messages {
            guard let command = Self.parseCommand(message) else { continue }
            self.counters.commandsReceived.add(1, ordering: .relaxed)
            guard
                let device = self.city.devices.first(where: { $0.apikey == command.apikey && $0.id == command.device })
            else { continue }
            let result = self.execute(command.name, on: device, time: time)
            let payload: ByteBuffer
            switch command.format {
            case .ultraLight:
                payload = ByteBuffer(
                    string: UltraLightEncoder.commandResult(device: device.id, command: command.name, result: result)
                )
            case .json:
                payload = ByteBuffer(bytes: JSONMeasureEncoder.commandResult(command: command.name, result: result))
            }
            do {
                try await mqtt.publish(topic: command.topicPrefix + "/cmdexe", payload: payload, qos: .atLeastOnce)
                self.counters.commandsAnswered.add(1, ordering: .relaxed)
                self.logger.info(
                    "command answered",
                    metadata: [
                        "device.id": "\(device.id)", "command.name": "\(command.name)", "command.result": "\(result)",
                    ]
                )
            } catch {
                self.reporter.report("mqtt.cmdexe", "cannot publish a command result", metadata: ["error": "\(error)"])
            }
            if device.family == .trap {
                let state = self.trapStates.withLock { $0[device.index] }
                let t = time.scenarioTime(elapsed: time.elapsed)
                await southbound.send([self.trapReport(device, state: state, at: t, time: time)], from: device)
            }
        }
    }

    /// Applies a command; returns the result text sent back.
    func execute(_ command: String, on device: DemoDevice, time: SimulationTime) -> String {
        switch (device.family, command) {
        case (.trap, "reset"):
            let wasClosed = self.trapStates.withLock { $0[device.index].reset() }
            return wasClosed ? "reopened" : "already open"
        default:
            return "unknown command"
        }
    }

    /// A command message: where it came from and what it asks.
    struct ReceivedCommand: Equatable {
        var format: PayloadFormat
        var apikey: String
        var device: String
        var name: String
        var parameters: String
        /// The topic without the trailing `/cmd`, to which `/cmdexe` is appended for the answer.
        var topicPrefix: String
    }

    /// Parses `/<apikey>/<device>/cmd` or `/ul/…` (UltraLight `<device>@<command>|<param>`) and
    /// `/json/<apikey>/<device>/cmd` (`{"<command>":<param>}`).
    static func parseCommand(_ message: MQTTMessage) -> ReceivedCommand? {
        let levels = message.topic.split(separator: "/", omittingEmptySubsequences: false)
        guard levels.count >= 4, levels.first == "", levels.last == "cmd" else { return nil }
        let prefix = String(message.topic.dropLast("/cmd".count))
        let text = String(buffer: message.payload)
        if levels.count == 5, levels[1] == "json" {
            guard case .object(let object)? = try? JSONParser.parse(text), let (name, value) = object.elements.first
            else {
                return nil
            }
            let parameters = value.stringValue ?? JSONWriter.string(of: value)
            return ReceivedCommand(
                format: .json,
                apikey: String(levels[2]),
                device: String(levels[3]),
                name: name,
                parameters: parameters,
                topicPrefix: prefix
            )
        }
        let apikeyIndex = levels.count == 5 && levels[1] == "ul" ? 2 : 1
        guard levels.count == apikeyIndex + 3, let parsed = UltraLightEncoder.parseCommand(text) else { return nil }
        return ReceivedCommand(
            format: .ultraLight,
            apikey: String(levels[apikeyIndex]),
            device: String(levels[apikeyIndex + 1]),
            name: parsed.command,
            parameters: parsed.parameters,
            topicPrefix: prefix
        )
    }
}
