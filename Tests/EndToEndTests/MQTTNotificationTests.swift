import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import MachiMQTT
import MachiMQTTTesting
import NIOCore
import Testing

/// Notifications to `mqtt://` endpoints, through a real Mosquitto broker (NGSI-LD MQTT binding).
@Suite(.serialized) struct MQTTNotificationTests {
    @Test(arguments: [0, 1])
    func aChangeIsPublishedOnTheEndpointTopic(qos: Int) async throws {
        try await MosquittoProcess.withBroker { broker in
            let listener = MQTTClient(
                configuration: .init(host: broker.host, port: broker.port, clientIdentifier: "listener-\(qos)")
            )
            try await listener.connect()
            try await listener.subscribe(to: "city/shiojiri/water", qos: .atLeastOnce)
            try await SubscriptionNotificationTests().withLiveMachi { client in
                let subscription = """
                    {"type": "Subscription", "entities": [{"type": "WaterObserved"}],
                     "notification": {"format": "keyValues", "endpoint": {
                        "uri": "mqtt://\(broker.host):\(broker.port)/city/shiojiri/water",
                        "notifierInfo": [{"key": "MQTT-QoS", "value": "\(qos)"}],
                        "receiverInfo": [{"key": "X-City", "value": "shiojiri"}]}}}
                    """
                #expect(try await client.post("/ngsi-ld/v1/subscriptions", subscription).status == 201)
                _ = try await client.post(
                    "/ngsi-ld/v1/entities",
                    waterObserved("urn:ngsi-ld:WaterObserved:mqtt", height: 3.5),
                    headers: ["NGSILD-Tenant": "okaya"]
                )
                // The subscription lives in the default tenant: the okaya entity is not for it.
                _ = try await client.post(
                    "/ngsi-ld/v1/entities",
                    waterObserved("urn:ngsi-ld:WaterObserved:mqtt", height: 1.25)
                )
                let message = try await Self.first(listener.messages, within: .seconds(10))
                let payload = try JSONParser.parse(Array(message.payload.readableBytesView))
                #expect(message.topic == "city/shiojiri/water")
                #expect(payload["metadata"]?["Content-Type"] == "application/json")
                #expect(payload["metadata"]?["X-City"] == "shiojiri")
                #expect(payload["metadata"]?["Link"]?.stringValue?.contains("ngsi-ld-core-context") == true)
                #expect(payload["body"]?["type"] == "Notification")
                #expect(payload["body"]?["data"]?.arrayValue?.first?["height"] == 1.25)
            }
            await listener.disconnect()
        }
    }

    static func first(_ messages: MQTTMessageSequence, within timeout: Duration) async throws -> MQTTMessage {
        try await withThrowingTaskGroup(of: MQTTMessage?.self) { group in
            group.addTask {
                for await message in messages { return message }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return try #require(first, "no MQTT message within \(timeout)")
        }
    }
}
