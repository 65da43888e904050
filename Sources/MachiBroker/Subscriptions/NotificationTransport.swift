public import MachiCore
public import OrderedCollections

/// One notification, ready to go: where, for which tenant, and the body.
public struct OutgoingNotification: Sendable {
    public var endpoint: NotificationEndpoint
    /// `nil` for the default tenant (then no `NGSILD-Tenant` header is sent).
    public var tenant: String?
    /// The Notification (5.3.1), without `@context`.
    public var body: JSONObject
    /// The @context the body is compacted with: a URL, an object or an array, as the subscription gave it.
    public var context: JSON
    public var subscriptionId: String

    public init(
        endpoint: NotificationEndpoint,
        tenant: String?,
        body: JSONObject,
        context: JSON,
        subscriptionId: String
    ) {
        self.endpoint = endpoint
        self.tenant = tenant
        self.body = body
        self.context = context
        self.subscriptionId = subscriptionId
    }

    /// The body as `application/ld+json`: the @context in the Notification and in every entity of `data`.
    public var jsonLDBody: JSONObject {
        var body = self.body
        body["@context"] = context
        if let data = body["data"]?.arrayValue {
            body["data"] = .array(
                data.map { item in
                    guard case .object(var entity) = item else { return item }
                    entity["@context"] = context
                    return .object(entity)
                }
            )
        }
        return body
    }

    /// The `Link` header value naming the @context of an `application/json` body (the core context when the
    /// subscription's context is not one URL).
    public var linkHeaderValue: String {
        let url = contextLink ?? "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
        return "<\(url)>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\""
    }

    /// The context's URLs, for a `Link` header: only a context that is one URL (or an array of one) can be linked.
    public var contextLink: String? {
        if let url = context.stringValue { return url }
        if let list = context.arrayValue, list.count == 1, let url = list[0].stringValue { return url }
        return nil
    }
}

/// Why a delivery failed.
public struct DeliveryError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Sends notifications over one protocol (HTTP, MQTT). Implementations live outside the broker (they need
/// network libraries); `send` returns once the receiver acknowledged (HTTP 2xx, MQTT PUBACK or QoS 0 written).
public protocol NotificationTransport: Sendable {
    func send(_ notification: OutgoingNotification) async throws(DeliveryError)
}
