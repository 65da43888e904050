import ArgumentParser
import Configuration
import Foundation
import Logging
import MachiApp
import MachiDemo
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `machi`: the City OS command line.
@main
struct Machi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machi",
        abstract: "Machi — an open City OS: NGSI-LD context broker and city data platform.",
        subcommands: [
            Serve.self, Demo.self, Simulate.self, UserCommand.self, ClientCommand.self, TokenCommand.self, Audit.self,
            Version.self,
        ],
        defaultSubcommand: Serve.self
    )
}

/// `machi version`
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("machi \(MachiServer.version)") }
}

/// `machi serve`
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the NGSI-LD API.",
        discussion:
            "Options override environment variables (HTTP_PORT, STORE_SQLITE_PATH, ...), which override defaults."
    )

    @Option(name: .long, help: "The port to listen on (default 1026; env HTTP_PORT).")
    var port: Int?

    @Option(name: .long, help: "The address to bind (default 0.0.0.0; env HTTP_HOST).")
    var host: String?

    @Option(name: .long, help: "The directory of the SQLite data files (default ./machi-data; env STORE_SQLITE_PATH).")
    var data: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error (default info; env LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .customLong("iot-mqtt"), help: "MQTT broker of the IoT agent, mqtt://host:1883 (env IOT_MQTT_URL).")
    var iotMQTT: String?

    @Option(
        name: .customLong("context-seed"),
        help: "Directory of local copies of remote @contexts, with a manifest.json of URL → file (env CONTEXTS_SEED)."
    )
    var contextSeed: String?

    @Option(
        name: .long,
        help:
            "Authentication: required (bearer tokens verified; the default) or open (everything allowed; env AUTH_MODE)."
    )
    var auth: String?

    func validate() throws {
        if let auth, !["open", "required"].contains(auth) { throw ValidationError("--auth must be open or required") }
    }

    func run() async throws {
        var overrides: [AbsoluteConfigKey: ConfigValue] = [:]
        if let port { overrides["http.port"] = .init(.int(port), isSecret: false) }
        if let host { overrides["http.host"] = .init(.string(host), isSecret: false) }
        if let data { overrides["store.sqlite.path"] = .init(.string(data), isSecret: false) }
        if let logLevel { overrides["log.level"] = .init(.string(logLevel), isSecret: false) }
        if let iotMQTT { overrides["iot.mqtt.url"] = .init(.string(iotMQTT), isSecret: false) }
        if let contextSeed { overrides["contexts.seed"] = .init(.string(contextSeed), isSecret: false) }
        if let auth { overrides["auth.mode"] = .init(.string(auth), isSecret: false) }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "command line", values: overrides),
            EnvironmentVariablesProvider(),
        ])
        let configuration = AppConfiguration(reader: reader)

        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "machi")

        let app = try await MachiServer.buildApplication(
            configuration: configuration,
            logger: logger,
            metrics: registry
        ) { port in
            logger.info(
                "machi listening",
                metadata: ["http.port": "\(port)", "store.path": "\(configuration.dataDirectory ?? ":memory:")"]
            )
        }
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}

/// `machi simulate`
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the live model city of Shiojiri against a Machi server.",
        discussion: """
            Provisions river, soil, trap, shelter, bridge, bus, weather and air-quality devices in the server's IoT \
            agent and streams their measures (UltraLight and JSON, over HTTP and MQTT) until Ctrl-C. \
            See docs/demo.md.
            """
    )

    @Option(name: .long, help: "Base URL of the Machi server.")
    var target: String = "http://localhost:1026"

    @Option(
        name: .long,
        help: "MQTT broker host:port the server's IoT agent listens to (default: everything over HTTP)."
    )
    var mqtt: String?

    @Option(name: .long, help: "Bridge measures per second over the 48 sensors (0 disables the bridge).")
    var bridgeRate: Double = 2800

    @Option(name: .long, help: "Scenario speed factor (2 runs the flood twice as fast).")
    var speed: Double = 1

    @Option(name: .long, help: "fiware-service (tenant); default: the default tenant.")
    var service: String?

    @Option(name: .long, help: "Seed of the simulation.")
    var seed: UInt64 = 2026

    @Option(
        name: .long,
        help: "Access token for provisioning (iot:admin, ngsi-ld:write), e.g. from `machi token` (env MACHI_TOKEN)."
    )
    var token: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func validate() throws {
        if let mqtt, DemoOptions.parseMQTTAddress(mqtt) == nil {
            throw ValidationError("--mqtt must be host or host:port, got '\(mqtt)'")
        }
        guard self.target.hasPrefix("http://") || self.target.hasPrefix("https://") else {
            throw ValidationError("--target must be an http:// or https:// URL")
        }
        guard self.bridgeRate >= 0 else { throw ValidationError("--bridge-rate must not be negative") }
        guard self.speed > 0 else { throw ValidationError("--speed must be positive") }
        guard Logger.Level(rawValue: self.logLevel) != nil else { throw ValidationError("unknown --log-level") }
    }

    /// The simulator options these arguments describe.
    var options: DemoOptions {
        let broker = self.mqtt.flatMap(DemoOptions.parseMQTTAddress)
        return DemoOptions(
            target: self.target,
            mqttHost: broker?.host,
            mqttPort: broker?.port ?? 1883,
            bridgeRate: self.bridgeRate,
            speed: self.speed,
            service: self.service,
            seed: self.seed,
            accessToken: self.token ?? ProcessInfo.processInfo.environment["MACHI_TOKEN"]
        )
    }

    func run() async throws {
        let level = Logger.Level(rawValue: self.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "machi.demo")
        let simulator = CitySimulator(options: self.options, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [CitySimulatorService(simulator: simulator, logger: logger)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        let statistics = simulator.statistics
        logger.info(
            "demo city stopped",
            metadata: [
                "demo.measures_sent": "\(statistics.measuresSent)",
                "demo.messages_failed": "\(statistics.messagesFailed)",
                "demo.commands_answered": "\(statistics.commandsAnswered)",
            ]
        )
    }
}
