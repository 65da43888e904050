import Foundation
import Logging
import MachiBroker
import MachiCore
import MachiMQTT
import NIOCore
import OrderedCollections
import Synchronization

/// Delivers notifications to `mqtt://[user:password@]host[:port]/topic` endpoints (the NGSI-LD MQTT binding): one
/// PUBLISH per notification on the URI's path as topic, with the payload `{"metadata": {…}, "body": {…}}` where
/// `metadata` carries what HTTP would send as headers (`Content-Type`, `Link`, `NGSILD-Tenant` and every
/// `receiverInfo` pair). `notifierInfo` `MQTT-QoS` picks QoS 0 (default) or 1; QoS 1 succeeds on PUBACK.
///
/// One connection per broker and credentials, opened on first use and again after it fails.
final class MQTTNotificationTransport: NotificationTransport {
    private let clients = Mutex<[String: MQTTClient]>([:])
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func send(_ notification: OutgoingNotification) async throws(DeliveryError) {
        guard let components = URLComponents(string: notification.endpoint.uri), let host = components.host else {
            throw DeliveryError("the MQTT endpoint has no host")
        }
        let topic = String(components.path.drop(while: { $0 == "/" }))
        guard !topic.isEmpty else { throw DeliveryError("the MQTT endpoint has no topic") }
        let qos: MQTTQoS =
            notification.endpoint.notifierInfo.first(where: { $0.key == "MQTT-QoS" })?.value == "1"
            ? .atLeastOnce : .atMostOnce
        var metadata: JSONObject = [:]
        var body = notification.body
        if notification.endpoint.accept == "application/ld+json" {
            metadata["Content-Type"] = "application/ld+json"
            body["@context"] = notification.context
        } else {
            metadata["Content-Type"] = "application/json"
            metadata["Link"] = .string(notification.linkHeaderValue)
        }
        if let tenant = notification.tenant { metadata["NGSILD-Tenant"] = .string(tenant) }
        for pair in notification.endpoint.receiverInfo { metadata[pair.key] = .string(pair.value) }
        let payload = JSONWriter.bytes(of: ["metadata": .object(metadata), "body": .object(body)])

        let key = "\(components.user ?? "")@\(host):\(components.port ?? 1883)"
        let client = try await connectedClient(key: key, components: components, host: host)
        do {
            try await client.publish(topic: topic, payload: payload, qos: qos)
        } catch {
            // Drop the connection: the next notification opens a new one.
            clients.withLock { _ = $0.removeValue(forKey: key) }
            await client.disconnect()
            throw DeliveryError("MQTT publish failed: \(error)")
        }
    }

    private func connectedClient(
        key: String,
        components: URLComponents,
        host: String
    ) async throws(DeliveryError)
        -> MQTTClient
    {
        if let client = clients.withLock({ $0[key] }), client.isConnected { return client }
        let client = MQTTClient(
            configuration: .init(
                host: host,
                port: components.port ?? 1883,
                clientIdentifier: "machi-notifier-\(UUID().uuidString.prefix(8).lowercased())",
                username: components.user?.removingPercentEncoding,
                password: components.password?.removingPercentEncoding,
                connectTimeout: .seconds(5)
            ),
            logger: logger
        )
        do {
            try await client.connect()
        } catch {
            throw DeliveryError("cannot connect to the MQTT broker \(host): \(error)")
        }
        let replaced = clients.withLock { clients -> MQTTClient? in
            defer { clients[key] = client }
            return clients[key]
        }
        if let replaced { await replaced.disconnect() }
        return client
    }

    /// Closes every connection.
    func shutdown() async {
        let all = clients.withLock { clients -> [MQTTClient] in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in all { await client.disconnect() }
    }
}
