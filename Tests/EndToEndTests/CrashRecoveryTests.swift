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

    /// Starts `machi serve` and waits until `/health` answers.
    static func startMachi(port: Int, data: URL) async throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--port", String(port), "--data", data.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/health"),
                timeout: .seconds(1)
            ), response.status == .ok {
                return process
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw TestFailure("machi did not start at \(executable.path)")
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
        let port = try await Self.freePort()
        let receiverPort = try await Self.freePort()  // nothing listens there until after the crash

        var machi = try await Self.startMachi(port: port, data: data)
        defer { if machi.isRunning { machi.terminate() } }
        let subscription = """
            {"type": "Subscription", "entities": [{"type": "WaterObserved"}], "notificationTrigger": ["entityCreated"],
             "notification": {"format": "keyValues", "endpoint": {"uri": "http://127.0.0.1:\(receiverPort)/notify", "timeout": 300}}}
            """
        #expect(try await Self.post(port, "/ngsi-ld/v1/subscriptions", subscription) == 201)

        // Eight writers create entities until the server dies under them.
        let acknowledged = Acknowledged()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for n in 0..<10_000 {
                        let id = "urn:ngsi-ld:WaterObserved:crash-\(writer)-\(n)"
                        guard
                            let status = try? await Self.post(
                                port,
                                "/ngsi-ld/v1/entities",
                                waterObserved(id, height: 1)
                            )
                        else { return }  // the server is gone
                        if status == 201 { acknowledged.add(id) }
                    }
                }
            }
            while acknowledged.ids.count < 150 { try await Task.sleep(for: .milliseconds(5)) }
            // Long enough for the notifier to fail a first delivery of the early entries (nothing listens yet).
            try await Task.sleep(for: .milliseconds(1500))
            kill(machi.processIdentifier, SIGKILL)
            try await group.waitForAll()
        }
        machi.waitUntilExit()
        let written = acknowledged.ids
        #expect(written.count >= 150)

        machi = try await Self.startMachi(port: port, data: data)
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
        machi.terminate()
        machi.waitUntilExit()
    }
}

/// The ids whose creation the server acknowledged.
private final class Acknowledged: Sendable {
    private let value = Mutex<[String]>([])
    func add(_ id: String) { value.withLock { $0.append(id) } }
    var ids: [String] { value.withLock { $0 } }
}
