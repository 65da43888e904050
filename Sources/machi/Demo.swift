import ArgumentParser
import Configuration
import Foundation
import Logging
import MachiApp
import MachiDemo
import MachiHTTP
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `machi demo`: Machi on the embedded SQLite store with the live model city of Shiojiri.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve Machi with a live model city: Shiojiri's rivers, traps, shelters, bridge, buses and weather.",
        discussion: """
            Starts a Mosquitto broker (if installed) for the MQTT devices, serves the NGSI-LD and IoT Agent APIs \
            on the embedded SQLite store, provisions the city through the public APIs and streams its measures \
            until Ctrl-C. See docs/demo.md.
            """
    )

    @Option(name: .long, help: "The port to listen on.")
    var port: Int = 1026

    @Option(name: .long, help: "The directory of the SQLite data files.")
    var data: String = "./machi-demo-data"

    @Option(name: .long, help: "Bridge measures per second over the 48 sensors (0 disables the bridge).")
    var bridgeRate: Double = 2800

    @Option(name: .long, help: "Scenario speed factor (2 runs the flood twice as fast).")
    var speed: Double = 1

    @Option(name: .long, help: "Port of the demo's Mosquitto broker (default: a free port, printed at start).")
    var mqttPort: Int?

    @Flag(name: .long, help: "Run every device over HTTP, without MQTT.")
    var noMQTT = false

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "notice"

    func validate() throws {
        guard bridgeRate >= 0 else { throw ValidationError("--bridge-rate must not be negative") }
        guard speed > 0 else { throw ValidationError("--speed must be positive") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .notice
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "machi")

        let broker = noMQTT ? nil : try await Self.startBroker(port: mqttPort, logger: logger)
        defer { broker?.stop() }

        var configuration = AppConfiguration(
            reader: ConfigReader(providers: [
                InMemoryProvider(
                    name: "demo",
                    values: [
                        "http.port": .init(.int(port), isSecret: false),
                        "store.sqlite.path": .init(.string(data), isSecret: false),
                    ]
                ),
                EnvironmentVariablesProvider(),
            ])
        )
        if let broker { configuration.iotMQTTURL = "mqtt://\(broker.host):\(broker.port)" }
        // Authentication and authorization are on: the city's open data is public to read, the simulator provisions
        // with its own client's token, devices send with their API keys.
        configuration.authMode = .required
        configuration.publicReadTenants.insert("")
        let identity = try await IdentityServices.open(configuration: configuration)
        let identityBanner = try await DemoIdentity.seed(identity, port: port, data: data)
        let simulatorToken = try await DemoIdentity.simulatorToken(identity)
        try identity.close()
        let simulator = CitySimulator(
            options: DemoOptions(
                target: "http://127.0.0.1:\(port)",
                mqttHost: broker?.host,
                mqttPort: broker?.port ?? 1883,
                bridgeRate: bridgeRate,
                speed: speed,
                accessToken: simulatorToken
            ),
            logger: Logger(label: "machi.demo")
        )
        let app = try await MachiServer.buildApplication(
            configuration: configuration,
            logger: logger,
            metrics: registry
        ) {
            port in
            // Unbuffered, so that it shows at once even when stdout is a file or a pipe.
            let banner = Self.banner(
                port: port,
                broker: broker.map { "\($0.host):\($0.port)" },
                data: data,
                identity: identityBanner
            )
            FileHandle.standardOutput.write(Data((banner + "\n").utf8))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app),
                    .init(service: CitySimulatorService(simulator: simulator, logger: Logger(label: "machi.demo"))),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        let statistics = simulator.statistics
        print("demo stopped: \(statistics.measuresSent) measures sent, \(statistics.messagesFailed) failed")
    }

    /// Mosquitto on the wanted port, or a free one; `nil` (devices then use HTTP) if it is not installed.
    static func startBroker(port: Int?, logger: Logger) async throws -> MosquittoLauncher? {
        try await MosquittoLauncher.start(port: port ?? 0, logger: logger)
    }

    static func banner(port: Int, broker: String?, data: String, identity: String = "") -> String {
        """

        Machi demo: the model city of Shiojiri is live on http://localhost:\(port) (data in \(data))
          river levels:  curl 'localhost:\(port)/ngsi-ld/v1/entities?type=WaterObserved&options=keyValues&attrs=height'
          traps:         curl 'localhost:\(port)/ngsi-ld/v1/entities?type=AnimalTrap&options=keyValues&attrs=status'
          buses:         curl 'localhost:\(port)/ngsi-ld/v1/entities?type=Vehicle&options=keyValues&attrs=location,speed'
          history:       curl 'localhost:\(port)/ngsi-ld/v1/temporal/entities?type=WaterObserved&lastN=5&attrs=height'
          devices:       curl localhost:\(port)/iot/devices
          MQTT:          \(broker.map { "mosquitto_sub -h \($0.split(separator: ":")[0]) -p \($0.split(separator: ":")[1]) -t '/#' -v" } ?? "off (Mosquitto is not installed: every device uses HTTP)")
        \(identity)
        Ctrl-C stops it.

        """
    }
}
