import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A stand-in for Machi's IoT agent and NGSI-LD API: records every request, answers 201 to provisioning (409 when a
/// group or device is posted twice) and 200 to measures.
final class FakeIoTAgent: Sendable {
    struct Request: Sendable {
        var method: HTTPMethod
        var uri: String
        var headers: HTTPHeaders
        var body: String

        var path: String { String(self.uri.prefix { $0 != "?" }) }
    }

    private let state = Mutex<(requests: [Request], seen: Set<String>)>(([], []))
    private let channel: any Channel
    private let rejecting: String?

    var port: Int { self.channel.localAddress?.port ?? 0 }
    var requests: [Request] { self.state.withLock { $0.requests } }

    private init(channel: any Channel, rejecting: String?) {
        self.channel = channel
        self.rejecting = rejecting
    }

    /// Starts on a free port; provisioning bodies containing `rejecting` get 400.
    static func start(rejecting: String? = nil) async throws -> FakeIoTAgent {
        let box = Mutex<FakeIoTAgent?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let agent = box.withLock({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(agent: agent))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let agent = FakeIoTAgent(channel: channel, rejecting: rejecting)
        box.withLock { $0 = agent }
        return agent
    }

    func stop() async {
        try? await self.channel.close()
    }

    /// Records the request and chooses the status.
    fileprivate func handle(_ request: Request) -> HTTPResponseStatus {
        self.state.withLock { state in
            state.requests.append(request)
            guard request.path == "/iot/devices" || request.path == "/iot/services" else {
                return request.path.hasPrefix("/ngsi-ld") ? .noContent : .ok
            }
            if let rejecting = self.rejecting, request.body.contains(rejecting) { return .badRequest }
            return state.seen.insert(request.body).inserted ? .created : .conflict
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let agent: FakeIoTAgent
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(agent: FakeIoTAgent) { self.agent = agent }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                self.body.clear()
            case .body(var part):
                self.body.writeBuffer(&part)
            case .end:
                guard let head = self.head else { return }
                let status = self.agent.handle(
                    Request(method: head.method, uri: head.uri, headers: head.headers, body: String(buffer: self.body))
                )
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "0")
                let response = HTTPResponseHead(version: head.version, status: status, headers: headers)
                context.write(self.wrapOutboundOut(.head(response)), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
