public import Hummingbird
import MachiCore
public import MachiIoT

/// The HTTP southbound of FIWARE's agents: UltraLight 2.0 at `/iot/d` (`GET ?k=&i=&d=` or `POST ?k=&i=` with the
/// payload as body) and JSON at `/iot/json` (`POST ?k=&i=`). Answers 200 once the measures are durable; a bad payload
/// is a 400 that writes nothing.
struct IoTSouthboundController {
    let agent: IoTAgent

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("d") { request, _ in try await ultraLight(request, fromQuery: true) }
        router.post("d") { request, _ in try await ultraLight(request, fromQuery: false) }
        router.post("json") { request, _ in try await json(request) }
    }

    func ultraLight(_ request: Request, fromQuery: Bool) async throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        let (apikey, deviceId) = try Self.identity(exchange)
        let payload: String
        if fromQuery {
            payload = try exchange.requiredQuery("d")
        } else {
            payload = String(decoding: try await exchange.body(), as: UTF8.self)
        }
        let groups: [MeasureGroup]
        do {
            groups = try UltraLight.decode(payload)
        } catch {
            agent.countRejected()
            throw error
        }
        try await agent.ingest(apikey: apikey, deviceId: deviceId, groups: groups)
        return IoTExchange.empty(.ok)
    }

    func json(_ request: Request) async throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        let (apikey, deviceId) = try Self.identity(exchange)
        let groups: [MeasureGroup]
        do {
            groups = try JSONMeasures.decode(try await exchange.body())
        } catch {
            agent.countRejected()
            throw error
        }
        try await agent.ingest(apikey: apikey, deviceId: deviceId, groups: groups)
        return IoTExchange.empty(.ok)
    }

    static func identity(_ exchange: IoTExchange) throws(IoTError) -> (String, String) {
        (try exchange.requiredQuery("k"), try exchange.requiredQuery("i"))
    }
}

/// Adds the IoT Agent API (provisioning and HTTP southbound) under `/iot` to a router.
public enum IoTRouter {
    public static func register(on router: Router<AppRequestContext>, agent: IoTAgent, version: String) {
        let group = router.group("iot").add(middleware: IoTErrorMiddleware<AppRequestContext>())
        IoTProvisioningController(agent: agent, version: version).register(on: group)
        IoTSouthboundController(agent: agent).register(on: group)
    }
}
