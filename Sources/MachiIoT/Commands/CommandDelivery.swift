import Logging
import MachiBroker
import MachiCore
public import MachiStore
import OrderedCollections

/// Sends a command to a device over HTTP (to its `endpoint`) and returns the device's answer (the command result).
public protocol HTTPCommandSender: Sendable {
    func send(_ payload: [UInt8], contentType: String, to endpoint: String) async throws -> [UInt8]
}

/// Publishes a command on the MQTT southbound (`/<apikey>/<device>/cmd`).
public protocol MQTTCommandPublisher: Sendable {
    func publish(topic: String, payload: [UInt8]) async throws
}

extension IoTAgent {
    /// The commands committed updates make due, in commit order; iterate it once (`IoTCommandService` does).
    public var dueCommands: AsyncStream<DeviceCommand> { commandCenter.commands }

    /// The observer to add to the store's change observers, so that command attribute updates reach devices.
    public var changeObserver: any ChangeObserver { commandCenter }

    /// Delivers one command and records its status on the device's entity: PENDING, then DELIVERED (MQTT, until the
    /// device answers on `cmdexe`), OK with the result (HTTP answer), or ERROR with the reason.
    public func deliver(
        _ command: DeviceCommand,
        http: (any HTTPCommandSender)?,
        mqtt: (any MQTTCommandPublisher)?
    ) async {
        await setStatus(of: command, "PENDING", info: nil)
        let device = command.device
        let wantsMQTT = device.transport?.uppercased() == "MQTT" || (device.endpoint == nil && mqtt != nil)
        do {
            if wantsMQTT {
                guard let mqtt else { throw IoTError(.internalError, "no MQTT broker is configured for commands") }
                let prefix = device.usesJSON ? "/json" : ""
                try await mqtt.publish(
                    topic: "\(prefix)/\(command.apikey)/\(device.deviceId)/cmd",
                    payload: command.payload
                )
                await setStatus(of: command, "DELIVERED", info: nil)
            } else if let endpoint = device.endpoint {
                guard let http else { throw IoTError(.internalError, "HTTP commands are not available") }
                let contentType = device.usesJSON ? "application/json" : "text/plain"
                let answer = try await http.send(command.payload, contentType: contentType, to: endpoint)
                let result = try Self.result(of: answer, command: command)
                await setStatus(of: command, "OK", info: result)
            } else {
                throw IoTError(.badRequest, "device \(device.deviceId) has neither an endpoint nor the MQTT transport")
            }
        } catch {
            logger.notice(
                "IoT command failed",
                metadata: ["iot.device": "\(device.deviceId)", "iot.command": "\(command.name)", "error": "\(error)"]
            )
            await setStatus(of: command, "ERROR", info: "\(error)")
        }
    }

    /// A device's answer to an HTTP command: `<device>@<command>|<result>` or `{"<command>": <result>}`; an empty
    /// 2xx answer is a success without result.
    static func result(of answer: [UInt8], command: DeviceCommand) throws(IoTError) -> String {
        let text = String(decoding: answer, as: UTF8.self).trimmingASCIIWhitespace()
        if text.isEmpty { return "" }
        if command.device.usesJSON { return try JSONMeasures.commandResult(Array(text.utf8)).result }
        return try UltraLight.commandResult(text).result
    }

    /// A command result a device sent on `cmdexe`: the command's status becomes OK and its info the result.
    public func commandResult(apikey: String, deviceId: String, command: String, result: String) async throws(IoTError)
    {
        let (device, group) = registry.lookup(apikey: apikey, deviceId: deviceId)
        guard let device else { throw IoTError(.deviceNotFound, "no device \(deviceId) with this apikey") }
        guard MeasureTranslator.commands(device, group).contains(where: { $0.name == command }) else {
            throw IoTError(.badPayload, "device \(deviceId) has no command \(command)")
        }
        let apikey = device.apikey ?? group?.apikey ?? apikey
        await setStatus(
            of: DeviceCommand(device: device, apikey: apikey, name: command, value: .null),
            "OK",
            info: result
        )
    }

    func setStatus(of command: DeviceCommand, _ status: String, info: String?) async {
        var object: JSONObject = [command.name + "_status": ["type": "Property", "value": .string(status)]]
        if let info { object[command.name + "_info"] = ["type": "Property", "value": .string(info)] }
        let now = entities.timestamp()
        do {
            let fragment = try EntityDecoder(context: translator.context, now: now).fragment(
                .object(object),
                nulls: .reject
            )
            _ = try await entities.applyOne(
                EntityService.modification(id: command.device.entityName) { _ = $0.update(fragment, now: now) },
                in: BrokerContext(tenant: command.device.service, requestId: "iot-command", principal: .system("iot-agent"))
            )
        } catch {
            logger.warning(
                "IoT command status not written",
                metadata: [
                    "iot.device": "\(command.device.deviceId)", "iot.command": "\(command.name)", "error": "\(error)",
                ]
            )
        }
    }
}
