import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import MachiDemo
import MachiHTTP
import MachiMQTTTesting
import Testing

/// The model city of `machi demo` against the whole server: provisioned through the public APIs, measures over
/// UltraLight and JSON, HTTP and MQTT (a real Mosquitto), commands answered by the simulated devices.
@Suite(.serialized) struct DemoCityTests {
    @Test func theCityComesAliveAndAnswersCommands() async throws {
        try await MosquittoProcess.withBroker { broker in
            let configuration = AppConfiguration(
                host: "127.0.0.1",
                port: 0,
                dataDirectory: nil,
                contextFetchEnabled: false,
                iotMQTTURL: "mqtt://\(broker.host):\(broker.port)",
                authMode: .open
            )
            let app = try await MachiServer.buildApplication(
                configuration: configuration,
                logger: Logger(label: "test")
            )
            try await app.test(.live) { testClient in
                let client = MachiClient(client: testClient)
                let port = try #require(testClient.port)
                let simulator = CitySimulator(
                    options: DemoOptions(
                        target: "http://127.0.0.1:\(port)",
                        mqttHost: broker.host,
                        mqttPort: broker.port,
                        bridgeRate: 400,
                        speed: 20
                    ),
                    logger: Logger(label: "demo") { _ in SwiftLogNoOpLogHandler() }
                )
                try await simulator.provision()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await simulator.run() }
                    try await Self.expectTheCityIsAlive(client)
                    try await Self.expectATrapResets(client)
                    group.cancelAll()
                }
                #expect(simulator.statistics.messagesFailed == 0)
                #expect(simulator.statistics.commandsAnswered >= 1)
            }
        }
    }

    static func keyValues(_ client: MachiClient, type: String, attrs: String) async throws -> [JSON] {
        try await client.get("/ngsi-ld/v1/entities?type=\(type)&options=keyValues&attrs=\(attrs)&limit=100").json
            .arrayValue
            ?? []
    }

    static func expectTheCityIsAlive(_ client: MachiClient) async throws {
        let types = try await client.get("/ngsi-ld/v1/types").json["typeList"]
        for type in [
            "WaterObserved", "AnimalTrap", "PointOfInterest", "BridgeSensor", "Vehicle", "WeatherObserved",
            "AirQualityObserved", "GtfsStop",
        ] {
            #expect(types?.arrayValue?.contains(.string(type)) == true, "no \(type)")
        }
        // Measures flow: the river gauges report heights, buses move, the bridge streams.
        var heights: [JSON] = []
        var busPositions: Set<String> = []
        for _ in 0..<100 {
            heights = try await keyValues(client, type: "WaterObserved", attrs: "height").compactMap { $0["height"] }
            for bus in try await keyValues(client, type: "Vehicle", attrs: "location") {
                if let location = bus["location"] { busPositions.insert(JSONWriter.string(of: location)) }
            }
            if heights.count == 4 && busPositions.count > 4 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(heights.count == 4)
        #expect(busPositions.count > 4, "buses did not move")
        let bridge = try await keyValues(client, type: "BridgeSensor", attrs: "strain,acceleration,temperature")
        #expect(bridge.count == 48)
    }

    static func expectATrapResets(_ client: MachiClient) async throws {
        let path = "/ngsi-ld/v1/entities/urn:ngsi-ld:AnimalTrap:shiojiri:trap-02"
        let patch = try await client.send(.patch, path + "/attrs/reset", body: #"{"type": "Property", "value": "now"}"#)
        #expect(patch.status == 204)
        var status: JSON?
        for _ in 0..<100 {
            status = try await client.get(path + "?options=keyValues&attrs=reset_status").json["reset_status"]
            if status == "OK" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == "OK")
    }
}
