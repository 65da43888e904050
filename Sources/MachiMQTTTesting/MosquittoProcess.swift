package import Foundation
import NIOCore
import NIOPosix

/// A throw-away Mosquitto broker on 127.0.0.1 for live tests.
///
/// Each instance gets its own free port, config, log and (optional) password file in a fresh temporary directory.
/// Use ``withBroker(_:_:)`` so that the broker is stopped whatever happens; a watchdog shell also kills it if the
/// test process dies. Installs the `mosquitto` Debian package on first use if it is missing (needs root).
///
/// ```swift
/// try await MosquittoProcess.withBroker { broker in
///     let client = MQTTClient(configuration: .init(host: broker.host, port: broker.port, clientIdentifier: "t"))
///     ...
/// }
/// ```
package final class MosquittoProcess: Sendable {
    /// Broker settings.
    package struct Options: Sendable {
        /// User name → password; when non-empty a `password_file` is written with `mosquitto_passwd`.
        package var users: [String: String] = [:]
        /// `allow_anonymous`; defaults to `true` unless `users` is set.
        package var allowAnonymous: Bool?
        /// Extra lines appended to `mosquitto.conf`.
        package var extraConfiguration: [String] = []

        package init(users: [String: String] = [:], allowAnonymous: Bool? = nil, extraConfiguration: [String] = []) {
            self.users = users
            self.allowAnonymous = allowAnonymous
            self.extraConfiguration = extraConfiguration
        }
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String

        package init(description: String) { self.description = description }
    }

    package static let executable = "/usr/sbin/mosquitto"
    package static let passwordTool = "/usr/bin/mosquitto_passwd"

    package let host = "127.0.0.1"
    package let port: Int
    package let directory: URL
    private let process: Process

    private init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Starts a broker and waits until it accepts TCP connections; call ``stop()`` when done.
    package static func start(_ options: Options = Options()) async throws -> MosquittoProcess {
        try self.installation.get()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("machi-mosquitto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try await self.freePort()

        var lines = [
            "listener \(port) 127.0.0.1",
            "allow_anonymous \(options.allowAnonymous ?? options.users.isEmpty)",
            "persistence false",
            "user root",
            "log_dest file \(directory.appendingPathComponent("mosquitto.log").path)",
            "log_type all",
            "connection_messages true",
            "pid_file \(directory.appendingPathComponent("mosquitto.pid").path)",
        ]
        if !options.users.isEmpty {
            let passwordFile = directory.appendingPathComponent("passwords").path
            for (index, (user, password)) in options.users.sorted(by: { $0.key < $1.key }).enumerated() {
                let arguments = (index == 0 ? ["-b", "-c"] : ["-b"]) + [passwordFile, user, password]
                try self.run(self.passwordTool, arguments)
            }
            lines.append("password_file \(passwordFile)")
        }
        lines += options.extraConfiguration
        let configFile = directory.appendingPathComponent("mosquitto.conf")
        try (lines.joined(separator: "\n") + "\n").write(to: configFile, atomically: true, encoding: .utf8)

        // The shell runs the broker, kills it when the test process goes away, and reaps it.
        let watchdog = """
            "$1" -c "$2" & child=$!
            trap 'kill -9 $child 2>/dev/null; wait $child; exit 0' TERM INT
            while kill -0 "$3" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.2; done
            kill -9 $child 2>/dev/null; wait $child
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", watchdog, "mosquitto-watchdog", self.executable, configFile.path,
            "\(ProcessInfo.processInfo.processIdentifier)",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        let broker = MosquittoProcess(port: port, directory: directory, process: process)
        do {
            try await broker.waitUntilAccepting()
        } catch {
            broker.stop()
            throw error
        }
        return broker
    }

    /// Runs `body` with a fresh broker and stops the broker afterwards, also when `body` throws.
    package static func withBroker<Result>(
        _ options: Options = Options(),
        _ body: (MosquittoProcess) async throws -> Result
    ) async throws -> Result {
        let broker = try await self.start(options)
        do {
            let result = try await body(broker)
            broker.stop()
            return result
        } catch {
            broker.stop()
            throw error
        }
    }

    /// The broker's log so far (`log_type all`).
    package var log: String {
        (try? String(contentsOf: self.directory.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? ""
    }

    /// Waits until the log contains `text` (the broker processes packets asynchronously); `false` on timeout.
    package func waitForLog(_ text: String, timeout: Duration = .seconds(5)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.log.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return self.log.contains(text)
    }

    /// The broker's own process id (not the watchdog's).
    package var brokerPID: Int32? {
        let text = try? String(contentsOf: self.directory.appendingPathComponent("mosquitto.pid"), encoding: .utf8)
        return text.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Sends a signal (e.g. `SIGSTOP`/`SIGCONT` to simulate a hung broker) to the broker process.
    package func signal(_ signal: Int32) throws {
        guard let pid = self.brokerPID else { throw Failure(description: "mosquitto wrote no pid file") }
        guard kill(pid, signal) == 0 else { throw Failure(description: "kill(\(pid), \(signal)) failed") }
    }

    /// Stops the broker and removes its directory. Idempotent.
    ///
    /// Uses SIGKILL: a broker started from the test process keeps SIGTERM pending (blocked) forever, and a test
    /// broker has nothing to save. The watchdog shell then reaps it and exits, so no zombie is left.
    package func stop() {
        if let pid = self.brokerPID, kill(pid, 0) == 0 {
            kill(pid, SIGKILL)
        }
        let deadline = Date().addingTimeInterval(5)
        while self.process.isRunning && Date() < deadline { usleep(10_000) }
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: self.directory)
    }

    // MARK: - Private

    private func waitUntilAccepting() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard self.process.isRunning else {
                throw Failure(description: "mosquitto exited at startup; log:\n\(self.log)")
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
        throw Failure(description: "mosquitto did not accept connections on port \(self.port); log:\n\(self.log)")
    }

    /// A port that was free a moment ago (bound to port 0 and released).
    package static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw Failure(description: "could not determine a free port") }
        return port
    }

    /// Installs mosquitto once per process if it is missing.
    private static let installation: Swift.Result<Void, any Error> = Swift.Result {
        let manager = FileManager.default
        if manager.isExecutableFile(atPath: executable) && manager.isExecutableFile(atPath: passwordTool) { return }
        guard getuid() == 0 else {
            throw Failure(
                description: "\(executable) is missing and installing it needs root: apt-get install mosquitto"
            )
        }
        var environment = ProcessInfo.processInfo.environment
        environment["DEBIAN_FRONTEND"] = "noninteractive"
        do {
            try run("/usr/bin/apt-get", ["install", "-y", "-q", "mosquitto"], environment: environment)
        } catch {
            try run("/usr/bin/apt-get", ["update", "-q"], environment: environment)
            try run("/usr/bin/apt-get", ["install", "-y", "-q", "mosquitto"], environment: environment)
        }
        guard manager.isExecutableFile(atPath: executable) else {
            throw Failure(description: "apt-get install mosquitto did not provide \(executable)")
        }
    }

    @discardableResult
    private static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil
    ) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }
}
