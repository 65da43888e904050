import ArgumentParser
import Configuration
import Logging
import MachiApp
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
        subcommands: [Serve.self, Version.self],
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

    func run() async throws {
        var overrides: [AbsoluteConfigKey: ConfigValue] = [:]
        if let port { overrides["http.port"] = .init(.int(port), isSecret: false) }
        if let host { overrides["http.host"] = .init(.string(host), isSecret: false) }
        if let data { overrides["store.sqlite.path"] = .init(.string(data), isSecret: false) }
        if let logLevel { overrides["log.level"] = .init(.string(logLevel), isSecret: false) }
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
