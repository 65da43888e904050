public import Logging
public import ServiceLifecycle

/// The simulator as a ServiceLifecycle `Service`: provisions (retrying until the server answers), then runs until
/// graceful shutdown or cancellation.
///
/// ```swift
/// let simulator = CitySimulator(options: DemoOptions(target: "http://127.0.0.1:\(port)"))
/// let group = ServiceGroup(services: [server, CitySimulatorService(simulator: simulator)], logger: logger)
/// ```
///
/// If the server answers but rejects part of the provisioning, the rejection is logged and the city runs anyway.
public struct CitySimulatorService: Service {
    /// The simulator it runs.
    public let simulator: CitySimulator
    /// The first wait between provisioning attempts; doubles up to ``maximumRetryDelay``.
    public var retryDelay: Duration
    /// The longest wait between provisioning attempts.
    public var maximumRetryDelay: Duration
    private let logger: Logger

    /// Creates the service.
    public init(
        simulator: CitySimulator,
        retryDelay: Duration = .milliseconds(500),
        maximumRetryDelay: Duration = .seconds(10),
        logger: Logger = Logger(label: "machi.demo")
    ) {
        self.simulator = simulator
        self.retryDelay = retryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.logger = logger
    }

    /// Provisions, then streams measures; returns on graceful shutdown or cancellation.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { [self] in
            guard await self.provisionWithRetries() else { return }
            try await self.simulator.run()
        }
    }

    /// Returns `false` if cancelled before the server answered.
    private func provisionWithRetries() async -> Bool {
        var delay = self.retryDelay
        var attempt = 1
        while !Task.isCancelled {
            do {
                try await self.simulator.provision()
                return true
            } catch let error as DemoError where error.code == .serverUnreachable {
                self.logger.info(
                    "server not reachable yet, retrying",
                    metadata: ["demo.attempt": "\(attempt)", "error": "\(error.message)"]
                )
            } catch let error as DemoError {
                self.logger.warning("demo provisioning partly rejected", metadata: ["error": "\(error.message)"])
                return true
            } catch {
                return false  // cancelled
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                return false
            }
            delay = min(delay * 2, self.maximumRetryDelay)
            attempt += 1
        }
        return false
    }
}
