import Foundation
import Logging
import MachiCore
import MachiHTTP
import MachiIoT
import MachiMQTT
import NIOCore
import ServiceLifecycle

/// Runs the IoT agent beside the HTTP server: delivers due commands (each in its own child task, so a slow device
/// delays only itself) and, when an MQTT broker is configured, the MQTT southbound.
struct IoTAgentService: Service {
    let agent: IoTAgent
    let southbound: MQTTSouthbound?

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if let southbound { group.addTask { await southbound.run() } }
                group.addTask {
                    await withDiscardingTaskGroup { deliveries in
                        for await command in agent.dueCommands {
                            deliveries.addTask {
                                await agent.deliver(command, http: HTTPCommandClient(), mqtt: southbound)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The MQTT client configuration from an `mqtt://[user:password@]host[:port]` URL.
    static func mqttConfiguration(_ url: String) throws -> MQTTClient.Configuration {
        guard let components = URLComponents(string: url), components.scheme == "mqtt", let host = components.host,
            !host.isEmpty
        else {
            throw IoTError(.badRequest, "iot.mqtt.url must look like mqtt://host:1883, not \(url)")
        }
        return MQTTClient.Configuration(
            host: host,
            port: components.port ?? 1883,
            clientIdentifier: "machi-iot-\(UUID().uuidString.prefix(8).lowercased())",
            username: components.user?.removingPercentEncoding,
            password: components.password?.removingPercentEncoding,
            connectTimeout: .seconds(5)
        )
    }
}
