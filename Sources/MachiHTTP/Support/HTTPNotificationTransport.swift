public import AsyncHTTPClient
public import MachiBroker
import MachiCore
import NIOCore
import NIOHTTP1
import OrderedCollections

/// Delivers notifications to `http:` / `https:` endpoints (6.3.x HTTP binding of notifications): `POST` of the
/// Notification as `application/json` with the @context in a `Link` header, or as `application/ld+json` with an
/// `@context` member, as the endpoint's `accept` asks; `NGSILD-Tenant` for a named tenant; every `receiverInfo`
/// pair as a header. Any 2xx answer is a success.
public struct HTTPNotificationTransport: NotificationTransport {
    let client: HTTPClient

    public init(client: HTTPClient = .shared) { self.client = client }

    public func send(_ notification: OutgoingNotification) async throws(DeliveryError) {
        var request = HTTPClientRequest(url: notification.endpoint.uri)
        request.method = .POST
        var body = notification.body
        if notification.endpoint.accept == "application/ld+json" {
            body = notification.jsonLDBody
            request.headers.add(name: "Content-Type", value: "application/ld+json")
        } else {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Link", value: notification.linkHeaderValue)
        }
        if let tenant = notification.tenant { request.headers.add(name: "NGSILD-Tenant", value: tenant) }
        for pair in notification.endpoint.receiverInfo { request.headers.add(name: pair.key, value: pair.value) }
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(of: .object(body))))
        do {
            // The notifier bounds every delivery by the endpoint's timeout; this is only a backstop.
            let timeout = notification.endpoint.timeout.map { TimeAmount.milliseconds(Int64($0)) } ?? .seconds(60)
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else {
                throw DeliveryError("the endpoint answered HTTP \(response.status.code)")
            }
        } catch let error as DeliveryError {
            throw error
        } catch {
            throw DeliveryError("the endpoint cannot be reached: \(error)")
        }
    }
}
