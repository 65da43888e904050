import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MachiCore
import NIOCore
import Synchronization

/// A real HTTP notification endpoint on 127.0.0.1 (port 0) that records what it receives.
///
/// `behaviour` decides each answer: 200, another status, or no answer at all (a dead endpoint that accepts the
/// connection and never replies).
final class NotificationReceiver: Sendable {
    enum Behaviour: Sendable {
        case answer
        case failFirst(Int)
        case neverAnswer
    }

    struct Received: Sendable {
        var headers: HTTPFields
        var body: JSON
        var at: ContinuousClock.Instant
    }

    private let received = Mutex<[Received]>([])
    private let attempts = Mutex(0)
    private let behaviour: Behaviour
    let port: Int

    private init(port: Int, behaviour: Behaviour) {
        self.port = port
        self.behaviour = behaviour
    }

    var url: String { "http://127.0.0.1:\(port)/notify" }
    var notifications: [Received] { received.withLock { $0 } }

    /// Runs a receiver for the duration of `body`.
    static func run<T: Sendable>(
        _ behaviour: Behaviour = .answer,
        port fixedPort: Int = 0,
        _ body: @Sendable (NotificationReceiver) async throws -> T
    ) async throws -> T {
        let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
        let recorder = Recorder()
        let router = Router()
        router.post("notify") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 22)
            return try await recorder.handle(request.headers, Array(buffer.readableBytesView))
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: fixedPort)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "receiver") { _ in SwiftLogNoOpLogHandler() }
        )
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService()
                return nil
            }
            var ports = portStream.makeAsyncIterator()
            guard let port = await ports.next() else { throw CancellationError() }
            let receiver = NotificationReceiver(port: port, behaviour: behaviour)
            recorder.receiver.withLock { $0 = receiver }
            let result = try await body(receiver)
            group.cancelAll()
            return result
        }
    }

    fileprivate func handle(_ headers: HTTPFields, _ bytes: [UInt8]) async throws -> Response {
        let attempt = attempts.withLock { count in
            count += 1
            return count
        }
        switch behaviour {
        case .neverAnswer:
            try await Task.sleep(for: .seconds(3600))
        case .failFirst(let failures) where attempt <= failures:
            return Response(status: .internalServerError)
        default:
            break
        }
        let body = (try? JSONParser.parse(bytes)) ?? .null
        received.withLock { $0.append(Received(headers: headers, body: body, at: .now)) }
        return Response(status: .ok)
    }

    /// The entities of every notification received so far, in order (a notification may carry several).
    var entities: [JSON] { notifications.flatMap { $0.body["data"]?.arrayValue ?? [] } }

    /// Waits until notifications carrying `count` entities arrived, or `timeout` passed.
    func waitForEntities(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [JSON] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if entities.count >= count { return entities }
            try await Task.sleep(for: .milliseconds(20))
        }
        return entities
    }

    /// Waits until `count` notifications arrived, or `timeout` passed; returns what arrived.
    func waitFor(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let got = notifications
            if got.count >= count { return got }
            try await Task.sleep(for: .milliseconds(20))
        }
        return notifications
    }
}

/// Forwards requests to the receiver once it exists (the router is built before the port is known).
private final class Recorder: Sendable {
    let receiver = Mutex<NotificationReceiver?>(nil)

    func handle(_ headers: HTTPFields, _ bytes: [UInt8]) async throws -> Response {
        guard let receiver = receiver.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
        return try await receiver.handle(headers, bytes)
    }
}
