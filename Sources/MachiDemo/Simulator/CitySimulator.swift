import AsyncHTTPClient
public import Logging
import MachiMQTT
import NIOCore
import Synchronization

/// The live model city: provisions its devices in Machi's IoT agent and streams their measures over UltraLight
/// and JSON, HTTP and MQTT, answering the traps' `reset` command.
///
/// ```swift
/// let simulator = CitySimulator(options: DemoOptions(target: "http://localhost:1026", mqttHost: "localhost"))
/// try await simulator.provision()
/// try await simulator.run()  // until the task is cancelled
/// ```
///
/// Failed requests never stop the simulator; they are counted in ``statistics`` and logged at most every 10 s.
public final class CitySimulator: Sendable {
    /// The options it was created with.
    public let options: DemoOptions
    /// The city it drives (MQTT families use MQTT only when `options.mqttHost` is set).
    public let city: DemoCity
    /// The models behind the measures.
    public let models: CityModels
    let logger: Logger
    let counters = StatisticsCounters()
    let reporter: ErrorReporter
    /// Trap states by trap index, shared by the trap loop and the command handler.
    let trapStates: Mutex<[TrapState]>

    /// Creates a simulator; nothing is sent until ``provision()`` or ``run()``.
    public init(options: DemoOptions, logger: Logger = Logger(label: "machi.demo")) {
        self.options = options
        self.city = DemoCity(usesMQTT: options.mqttHost != nil, bridgeSensorCount: options.bridgeSensorCount)
        self.models = CityModels(
            seed: options.seed,
            bridgeRate: options.bridgeRate,
            bridgeSensorCount: options.bridgeSensorCount
        )
        self.logger = logger
        self.reporter = ErrorReporter(logger: logger)
        self.trapStates = Mutex(DemoCity.traps.indices.map { TrapState(index: $0) })
    }

    /// What has been sent so far.
    public var statistics: SimulatorStatistics { self.counters.snapshot }

    /// Runs `body` with an HTTP client that keeps connections alive, and shuts the client down afterwards.
    func withHTTPClient<Result: Sendable>(
        _ body: (HTTPClient) async throws -> Result
    ) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: 16
        )
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(15))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(client)
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
