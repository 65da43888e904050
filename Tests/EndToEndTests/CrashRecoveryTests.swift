import AsyncHTTPClient
import Foundation
import MachiCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

/// `kill -9` of a real `machi serve` process during a write load: after a restart on the same data, every
/// acknowledged write is there and every notification it made due arrives.
@Suite(.serialized) struct CrashRecoveryTests {
    /// The `machi` executable built beside the tests (`swift build --build-tests` builds it).
    static var executable: URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let override = ProcessInfo.processInfo.environment["MACHI_EXECUTABLE"]
        return override.map(URL.init(fileURLWithPath:)) ?? root.appendingPathComponent(".build/debug/machi")
    }

    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// A `machi serve` child process and the port it answers on.
    struct Server {
        var process: Process
        var port: Int
    }

    /// Starts `machi serve` on a free port and waits until `/health` answers. A port taken between the probe
    /// and the bind (another test's connection may hold it) makes the child exit at once: a new port is tried.
    /// The child's standard error goes to `log`, and its tail is part of any failure.
    static func startMachi(data: URL, log: URL) async throws -> Server {
        for _ in 0..<3 {
            let port = try await freePort()
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let process = Process()
            process.executableURL = executable
            process.arguments = ["serve", "--port", String(port), "--data", data.path, "--auth", "open"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline, process.isRunning {
                if let response = try? await HTTPClient.shared.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"),
                    timeout: .seconds(1)
                ), response.status == .ok {
                    return Server(process: process, port: port)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning {
                process.terminate()
                break
            }
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw TestFailure("machi did not start at \(executable.path); its log ends:\n\(output.suffix(2000))")
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func post(_ port: Int, _ path: String, _ body: String) async throws -> Int {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return Int(response.status.code)
    }

    @Test func aCrashLosesNoAcknowledgedWriteAndNoDueNotification() async throws {
        #expect(FileManager.default.fileExists(atPath: Self.executable.path), "build machi first: swift build")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("machi-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: data) }
        let receiverPort = try await Self.freePort()  // nothing listens there until after the crash
        let log = data.appendingPathComponent("machi.log")

        var server = try await Self.startMachi(data: data, log: log)
        defer { if server.process.isRunning { server.process.terminate() } }
        let firstPort = server.port
        let subscription = """
            {"type": "Subscription", "entities": [{"type": "WaterObserved"}], "notificationTrigger": ["entityCreated"],
             "notification": {"format": "keyValues", "endpoint": {"uri": "http://127.0.0.1:\(receiverPort)/notify", "timeout": 300}}}
            """
        #expect(try await Self.post(firstPort, "/ngsi-ld/v1/subscriptions", subscription) == 201)

        // Eight writers create entities until the server dies under them.
        let acknowledged = Acknowledged()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for n in 0..<10_000 {
                        let id = "urn:ngsi-ld:WaterObserved:crash-\(writer)-\(n)"
                        guard
                            let status = try? await Self.post(
                                firstPort,
                                "/ngsi-ld/v1/entities",
                                waterObserved(id, height: 1)
                            )
                        else { return }  // the server is gone
                        if status == 201 { acknowledged.add(id) }
                    }
                }
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while acknowledged.ids.count < 150 {
                guard ContinuousClock.now < deadline else {
                    throw TestFailure("fewer than 150 writes acknowledged in 60 s")
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            // Long enough for the notifier to fail a first delivery of the early entries (nothing listens yet).
            try await Task.sleep(for: .milliseconds(1500))
            kill(server.process.processIdentifier, SIGKILL)
            try await group.waitForAll()
        }
        server.process.waitUntilExit()
        let written = acknowledged.ids
        #expect(written.count >= 150)

        server = try await Self.startMachi(data: data, log: log)
        let port = server.port
        try await NotificationReceiver.run(port: receiverPort) { receiver in
            // Every acknowledged entity is stored.
            for id in written {
                let response = try await HTTPClient.shared.execute(
                    HTTPClientRequest(url: "http://127.0.0.1:\(port)/ngsi-ld/v1/entities/\(id)"),
                    timeout: .seconds(10)
                )
                #expect(response.status == .ok, "acknowledged \(id) is missing after the crash")
            }
            // Every acknowledged creation is notified (at least once), however many attempts failed before.
            let deadline = ContinuousClock.now + .seconds(40)
            var notified = Set<String>()
            while ContinuousClock.now < deadline {
                notified = Set(
                    receiver.notifications.flatMap { $0.body["data"]?.arrayValue ?? [] }
                        .compactMap { $0["id"]?.stringValue }
                )
                if notified.isSuperset(of: written) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let missing = Set(written).subtracting(notified)
            #expect(
                missing.isEmpty,
                "\(missing.count) of \(written.count) acknowledged creations were never notified, e.g. \(missing.prefix(3))"
            )
        }
        server.process.terminate()
        server.process.waitUntilExit()
    }
}

/// The ids whose creation the server acknowledged.
private final class Acknowledged: Sendable {
    private let value = Mutex<[String]>([])
    func add(_ id: String) { value.withLock { $0.append(id) } }
    var ids: [String] { value.withLock { $0 } }
}
