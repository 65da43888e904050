public import Foundation
public import Logging
import NIOCore
import NIOPosix

/// Starts a private Mosquitto broker for the demo and stops it again.
///
/// ```swift
/// if let broker = try await MosquittoLauncher.start(logger: logger) {
///     defer { broker.stop() }
///     options.mqttHost = broker.host
///     options.mqttPort = broker.port
/// }
/// ```
///
/// The broker listens on 127.0.0.1 only, allows anonymous clients and keeps no persistence; its configuration and
/// log live in a fresh temporary directory that ``stop()`` removes.
public final class MosquittoLauncher: Sendable {
    /// Where the broker listens (always `127.0.0.1`).
    public let host = "127.0.0.1"
    /// The broker's port.
    public let port: Int
    /// The temporary directory with `mosquitto.conf` and `mosquitto.log`.
    public let directory: URL
    private let process: Process

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// The first executable `mosquitto` in `searchPath` (colon-separated); by default `/usr/sbin` (where Debian
    /// installs it), then `PATH`. `nil` if there is none.
    public static func findExecutable(
        searchPath: String = "/usr/sbin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
    ) -> String? {
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/mosquitto"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Starts Mosquitto on `port` (0 picks a free one) and waits until it accepts connections.
    ///
    /// Returns `nil` with a warning if Mosquitto is not installed; throws ``DemoError`` with
    /// ``DemoError/Code/brokerUnavailable`` if it exits or does not accept connections within `timeout`.
    public static func start(
        port: Int = 0,
        executable: String? = nil,
        timeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "machi.demo")
    ) async throws -> MosquittoLauncher? {
        guard let executable = executable ?? self.findExecutable() else {
            logger.warning("mosquitto is not installed; MQTT devices of the demo use HTTP (apt-get install mosquitto)")
            return nil
        }
        let chosenPort = port == 0 ? try await self.freePort() : port
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("machi-demo-mosquitto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = [
            "listener \(chosenPort) 127.0.0.1",
            "allow_anonymous true",
            "persistence false",
            "log_dest file \(directory.appendingPathComponent("mosquitto.log").path)",
            "max_queued_messages 10000",
        ]
        // As root, mosquitto would switch to the `mosquitto` user, who cannot write the temporary directory.
        if getuid() == 0 { configuration.append("user root") }
        let configFile = directory.appendingPathComponent("mosquitto.conf")
        try (configuration.joined(separator: "\n") + "\n").write(to: configFile, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", configFile.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw DemoError(.brokerUnavailable, "cannot start \(executable): \(error)", underlying: error)
        }
        let broker = MosquittoLauncher(port: chosenPort, directory: directory, process: process)
        do {
            try await broker.waitUntilAccepting(timeout: timeout)
        } catch {
            broker.stop()
            throw error
        }
        logger.info(
            "mosquitto started",
            metadata: ["mqtt.port": "\(chosenPort)", "mqtt.pid": "\(process.processIdentifier)"]
        )
        return broker
    }

    /// Whether the broker process is still running.
    public var isRunning: Bool { self.process.isRunning }

    /// The broker's log so far.
    public var log: String {
        (try? String(contentsOf: self.directory.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? ""
    }

    /// Stops the broker (SIGTERM, then SIGKILL after `grace`) and removes its directory. Idempotent; blocks for at
    /// most `grace` plus a moment.
    public func stop(grace: Duration = .seconds(2)) {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now + grace
            while self.process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if self.process.isRunning {
                // A child of a process that blocks SIGTERM (ServiceLifecycle does) may inherit the block.
                kill(self.process.processIdentifier, SIGKILL)
            }
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: self.directory)
    }

    private func waitUntilAccepting(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard self.process.isRunning else {
                throw DemoError(.brokerUnavailable, "mosquitto exited at startup; log:\n\(self.log)")
            }
            let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(200))
                .connect(host: self.host, port: self.port)
                .get()
            if let channel {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DemoError(.brokerUnavailable, "mosquitto did not accept connections on port \(self.port)")
    }

    /// A port that was free a moment ago.
    private static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw DemoError(.brokerUnavailable, "could not determine a free port") }
        return port
    }
}
