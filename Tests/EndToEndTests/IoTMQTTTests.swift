import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import MachiHTTP
import MachiMQTT
import MachiMQTTTesting
import NIOCore
import Testing

/// The MQTT southbound against a real Mosquitto broker: measures in, commands out, results back.
@Suite(.serialized) struct IoTMQTTTests {
    static let group = """
        {"services": [{"apikey": "trap-key", "resource": "/iot/d", "entity_type": "AnimalTrap",
          "attributes": [{"object_id": "s", "name": "status", "type": "Text"},
                         {"object_id": "b", "name": "batteryLevel", "type": "Number"}]}]}
        """
    static let device = """
        {"devices": [{"device_id": "trap-07", "entity_name": "urn:ngsi-ld:AnimalTrap:shiojiri:trap-07",
          "transport": "MQTT", "commands": [{"name": "reset", "type": "command"}],
          "static_attributes": [{"name": "location", "type": "geo:json", "value": {"type": "Point", "coordinates": [137.91, 36.09]}}]}]}
        """
    static let entityPath = "/ngsi-ld/v1/entities/urn:ngsi-ld:AnimalTrap:shiojiri:trap-07"

    func withMachi(broker: MosquittoProcess, _ body: @Sendable (MachiClient) async throws -> Void) async throws {
        let configuration = AppConfiguration(
            host: "127.0.0.1",
            port: 0,
            dataDirectory: nil,
            contextFetchEnabled: false,
            iotMQTTURL: "mqtt://\(broker.host):\(broker.port)",
            authMode: .open
        )
        let app = try await MachiServer.buildApplication(configuration: configuration, logger: Logger(label: "test"))
        try await app.test(.live) { client in try await body(MachiClient(client: client)) }
    }

    func device(_ broker: MosquittoProcess) async throws -> MQTTClient {
        let client = MQTTClient(
            configuration: .init(
                host: broker.host,
                port: broker.port,
                clientIdentifier: "trap-07-\(UUID().uuidString.prefix(6))"
            )
        )
        try await client.connect()
        return client
    }

    /// Polls `read` until it returns `expected` (the southbound writes asynchronously), for at most 10 s.
    func eventually(_ expected: JSON, _ read: () async throws -> JSON?) async throws -> JSON? {
        var last: JSON?
        for _ in 0..<500 {
            last = try await read()
            if last == expected { return last }
            try await Task.sleep(for: .milliseconds(20))
        }
        return last
    }

    @Test func measuresOverUltraLightAndJSONTopicsUpdateTheEntity() async throws {
        try await MosquittoProcess.withBroker { broker in
            try await withMachi(broker: broker) { client in
                #expect(try await client.post("/iot/services", Self.group).status == 201)
                #expect(try await client.post("/iot/devices", Self.device).status == 201)
                let trap = try await device(broker)
                // The southbound may still be subscribing: send until the first measure lands.
                var status: JSON?
                for _ in 0..<100 where status != "open" {
                    try await trap.publish(
                        topic: "/ul/trap-key/trap-07/attrs",
                        payload: Array("s|open|b|97".utf8),
                        qos: .atLeastOnce
                    )
                    try await Task.sleep(for: .milliseconds(100))
                    status = try await client.get(Self.entityPath).json["status"]?["value"]
                }
                #expect(status == "open")
                try await trap.publish(
                    topic: "/ul/trap-key/trap-07/attrs",
                    payload: Array("s|".utf8),
                    qos: .atLeastOnce
                )
                try await trap.publish(
                    topic: "/ul/trap-key/trap-07/attrs",
                    payload: Array("b|lots".utf8),
                    qos: .atLeastOnce
                )
                try await trap.publish(
                    topic: "/json/trap-key/trap-07/attrs",
                    payload: Array(#"{"s": "closed", "TimeInstant": "2026-11-22T05:00:00Z"}"#.utf8),
                    qos: .atLeastOnce
                )
                try await trap.publish(
                    topic: "/ul/trap-key/trap-07/attrs/b",
                    payload: Array("95".utf8),
                    qos: .atLeastOnce
                )
                #expect(
                    try await eventually(95) { try await client.get(Self.entityPath).json["batteryLevel"]?["value"] }
                        == 95
                )
                let entity = try await client.get(Self.entityPath).json
                #expect(entity["status"]?["value"] == "closed")
                #expect(entity["status"]?["observedAt"] == "2026-11-22T05:00:00.000Z")
                #expect(entity["location"]?["type"] == "GeoProperty")
                await trap.disconnect()
            }
        }
    }

    @Test func aCommandReachesTheDeviceAndItsResultIsRecorded() async throws {
        try await MosquittoProcess.withBroker { broker in
            try await withMachi(broker: broker) { client in
                #expect(try await client.post("/iot/services", Self.group).status == 201)
                #expect(try await client.post("/iot/devices", Self.device).status == 201)
                let trap = try await device(broker)
                try await trap.subscribe(to: "/trap-key/trap-07/cmd", qos: .atLeastOnce)
                // Wait until the southbound is connected (a measure gets through), so the command can be published.
                var status: JSON?
                for _ in 0..<100 where status != "open" {
                    try await trap.publish(
                        topic: "/ul/trap-key/trap-07/attrs",
                        payload: Array("s|open".utf8),
                        qos: .atLeastOnce
                    )
                    try await Task.sleep(for: .milliseconds(100))
                    status = try await client.get(Self.entityPath).json["status"]?["value"]
                }
                let patch = try await client.send(
                    .patch,
                    Self.entityPath + "/attrs/reset",
                    body: #"{"type": "Property", "value": "now"}"#
                )
                #expect(patch.status == 204)
                var messages = trap.messages.makeAsyncIterator()
                let command = try #require(await messages.next())
                #expect(String(buffer: command.payload) == "trap-07@reset|now")
                #expect(
                    try await eventually("DELIVERED") {
                        try await client.get(Self.entityPath).json["reset_status"]?["value"]
                    } == "DELIVERED"
                )
                try await trap.publish(
                    topic: "/ul/trap-key/trap-07/cmdexe",
                    payload: Array("trap-07@reset|reopened".utf8),
                    qos: .atLeastOnce
                )
                #expect(
                    try await eventually("OK") { try await client.get(Self.entityPath).json["reset_status"]?["value"] }
                        == "OK"
                )
                #expect(try await client.get(Self.entityPath).json["reset_info"]?["value"] == "reopened")
                await trap.disconnect()
            }
        }
    }

    @Test func aBurstOfMeasuresFromManyDevicesIsAllWritten() async throws {
        try await MosquittoProcess.withBroker { broker in
            try await withMachi(broker: broker) { client in
                #expect(try await client.post("/iot/services", Self.group).status == 201)
                let sender = try await device(broker)
                // Autoprovisioned devices; keep sending to the first until the southbound is there.
                var ready = false
                for _ in 0..<100 where !ready {
                    try await sender.publish(
                        topic: "/ul/trap-key/bridge-0/attrs",
                        payload: Array("b|0".utf8),
                        qos: .atLeastOnce
                    )
                    try await Task.sleep(for: .milliseconds(100))
                    ready = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:AnimalTrap:bridge-0").status == 200
                }
                let devices = 20
                let rounds = 100
                for round in 1...rounds {
                    for device in 0..<devices {
                        try await sender.publish(
                            topic: "/ul/trap-key/bridge-\(device)/attrs",
                            payload: Array("b|\(round)".utf8),
                            qos: .atLeastOnce
                        )
                    }
                }
                let last = try await eventually(JSON.number(Double(rounds))) {
                    try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:AnimalTrap:bridge-\(devices - 1)").json[
                        "batteryLevel"
                    ]?["value"]
                }
                #expect(last == .number(Double(rounds)))
                let history = try await client.get(
                    "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:AnimalTrap:bridge-7?attrs=batteryLevel"
                        + "&options=aggregatedValues&aggrMethods=totalCount&timeproperty=modifiedAt"
                )
                // Every measure is an instance: the 100 of the burst (bridge-7 sent nothing before it).
                let total = history.json["batteryLevel"]?["totalCount"]?.arrayValue?.first?.arrayValue?.first
                #expect(total == .number(Double(rounds)), "\(history.body)")
                await sender.disconnect()
            }
        }
    }
}
