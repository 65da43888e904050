extension MQTTClient {
    /// Connection and protocol settings of an ``MQTTClient``.
    public struct Configuration: Sendable {
        /// Broker host name or IP address.
        public var host: String
        /// Broker TCP port (1883 is the plain-text MQTT default).
        public var port: Int
        /// The MQTT client identifier; must be unique per broker. Empty is only allowed with `cleanSession`.
        public var clientIdentifier: String
        /// Optional user name.
        public var username: String?
        /// Optional password; MQTT 3.1.1 only allows it together with a `username`.
        public var password: String?
        /// Keep-alive interval, sent in CONNECT in whole seconds (at least 1 s unless zero); `.zero` disables it.
        public var keepAlive: Duration
        /// Whether the broker discards any previous session (and the client its unacknowledged QoS 1 publishes) on
        /// connect and on connection loss.
        public var cleanSession: Bool
        /// An optional will message, published by the broker if the connection drops without DISCONNECT.
        public var will: MQTTMessage?
        /// Upper bound for the TCP connect and, separately, for the CONNACK to arrive.
        public var connectTimeout: Duration
        /// How long `publish` (QoS 1: PUBACK; QoS 0: the socket write), `subscribe` and `unsubscribe` wait.
        public var acknowledgementTimeout: Duration
        /// If set, unacknowledged QoS 1 publishes are re-sent with DUP after this long on the same connection.
        public var retransmitInterval: Duration?
        /// Largest incoming packet accepted, fixed header included; larger ones close the connection.
        public var maximumPacketSize: Int
        /// How many received messages may wait in ``MQTTClient/messages``: above it the client stops reading the
        /// socket (TCP backpressure to the broker) until the consumer has taken half of them.
        public var inboundBufferLimit: Int

        /// Creates a configuration; only `host` and `clientIdentifier` are required.
        public init(
            host: String,
            port: Int = 1883,
            clientIdentifier: String,
            username: String? = nil,
            password: String? = nil,
            keepAlive: Duration = .seconds(60),
            cleanSession: Bool = true,
            will: MQTTMessage? = nil,
            connectTimeout: Duration = .seconds(10),
            acknowledgementTimeout: Duration = .seconds(30),
            retransmitInterval: Duration? = nil,
            maximumPacketSize: Int = 1 << 20,
            inboundBufferLimit: Int = 10_000
        ) {
            self.host = host
            self.port = port
            self.clientIdentifier = clientIdentifier
            self.username = username
            self.password = password
            self.keepAlive = keepAlive
            self.cleanSession = cleanSession
            self.will = will
            self.connectTimeout = connectTimeout
            self.acknowledgementTimeout = acknowledgementTimeout
            self.retransmitInterval = retransmitInterval
            self.maximumPacketSize = maximumPacketSize
            self.inboundBufferLimit = max(1, inboundBufferLimit)
        }

        /// The keep-alive in whole seconds as sent in CONNECT: rounded up, clamped to 0...65535.
        var keepAliveSeconds: UInt16 {
            let (seconds, attoseconds) = self.keepAlive.components
            guard seconds > 0 || attoseconds > 0 else { return 0 }
            let rounded = attoseconds > 0 ? seconds + 1 : seconds
            return UInt16(clamping: rounded)
        }
    }
}
