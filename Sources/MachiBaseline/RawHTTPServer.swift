import Foundation
import Hummingbird
import Logging
import NIOCore

/// The raw HTTP ceiling: the least a Hummingbird 2 server does for a JSON GET and a JSON POST.
struct RawHTTPServer {
    var host: String
    var port: Int

    /// A fixed JSON document of exactly 300 bytes, shaped like a small NGSI-LD entity.
    static let document: String = {
        let head =
            #"{"id":"urn:ngsi-ld:WaterObserved:shiojiri:42","type":"WaterObserved","#
            + #""height":{"type":"Property","value":2.1,"unitCode":"MTR","observedAt":"2026-11-21T09:00:00Z"},"#
            + #""location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[137.9525,36.1127]}},"#
            + #""name":{"type":"Property","value":""#
        let tail = #""}}"#
        let padding = String(repeating: "x", count: max(0, 300 - head.utf8.count - tail.utf8.count))
        return head + padding + tail
    }()

    func run() async throws {
        let router = Router()
        let document = ByteBuffer(string: Self.document)
        router.get("raw") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }
        router.post("raw") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
            guard let entity = object as? [String: Any], let id = entity["id"] as? String else {
                return Response(status: .badRequest)
            }
            return Response(status: .created, headers: [.location: "/raw/\(id)"])
        }
        router.get("health") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#))
            )
        }
        var logger = Logger(label: "machi-baseline")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "machi-baseline"),
            logger: logger
        )
        try await app.runService()
    }
}
