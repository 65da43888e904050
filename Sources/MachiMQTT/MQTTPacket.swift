/// An MQTT 3.1.1 control packet.
///
/// Encode with ``encode(into:)``, decode with ``MQTTPacketDecoder``. PUBREC, PUBREL and PUBCOMP (the QoS 2 flow)
/// are part of the codec so that every 3.1.1 packet can be represented, but ``MQTTClient`` never sends them and
/// treats receiving them as a protocol violation.
public enum MQTTPacket: Sendable, Hashable {
    /// CONNECT (client → broker).
    case connect(Connect)
    /// CONNACK (broker → client).
    case connack(ConnAck)
    /// PUBLISH (both directions).
    case publish(Publish)
    /// PUBACK: acknowledges a QoS 1 PUBLISH.
    case puback(packetIdentifier: UInt16)
    /// PUBREC: QoS 2, part 1.
    case pubrec(packetIdentifier: UInt16)
    /// PUBREL: QoS 2, part 2.
    case pubrel(packetIdentifier: UInt16)
    /// PUBCOMP: QoS 2, part 3.
    case pubcomp(packetIdentifier: UInt16)
    /// SUBSCRIBE (client → broker).
    case subscribe(Subscribe)
    /// SUBACK (broker → client).
    case suback(SubAck)
    /// UNSUBSCRIBE (client → broker).
    case unsubscribe(Unsubscribe)
    /// UNSUBACK (broker → client).
    case unsuback(packetIdentifier: UInt16)
    /// PINGREQ (client → broker).
    case pingreq
    /// PINGRESP (broker → client).
    case pingresp
    /// DISCONNECT (client → broker).
    case disconnect

    /// The largest remaining length MQTT 3.1.1 can express (§2.2.3): 268,435,455 bytes.
    public static let maximumRemainingLength = 268_435_455

    /// The CONNECT payload and variable header (§3.1).
    public struct Connect: Sendable, Hashable {
        /// The client identifier; may be empty only together with `cleanSession`.
        public var clientIdentifier: String
        /// The Clean Session flag.
        public var cleanSession: Bool
        /// Keep-alive interval in seconds; 0 disables keep-alive.
        public var keepAliveSeconds: UInt16
        /// Optional user name.
        public var username: String?
        /// Optional password (binary data); only allowed together with a user name.
        public var password: [UInt8]?
        /// Optional will message, published by the broker if the connection is lost without DISCONNECT.
        public var will: MQTTMessage?

        /// Creates a CONNECT packet body.
        public init(
            clientIdentifier: String,
            cleanSession: Bool = true,
            keepAliveSeconds: UInt16 = 60,
            username: String? = nil,
            password: [UInt8]? = nil,
            will: MQTTMessage? = nil
        ) {
            self.clientIdentifier = clientIdentifier
            self.cleanSession = cleanSession
            self.keepAliveSeconds = keepAliveSeconds
            self.username = username
            self.password = password
            self.will = will
        }
    }

    /// The CONNACK variable header (§3.2).
    public struct ConnAck: Sendable, Hashable {
        /// Whether the broker resumed a stored session.
        public var sessionPresent: Bool
        /// Whether and why the connection was refused.
        public var returnCode: MQTTConnectReturnCode

        /// Creates a CONNACK packet body.
        public init(sessionPresent: Bool = false, returnCode: MQTTConnectReturnCode = .accepted) {
            self.sessionPresent = sessionPresent
            self.returnCode = returnCode
        }
    }

    /// A PUBLISH packet (§3.3).
    public struct Publish: Sendable, Hashable {
        /// Topic, payload, QoS and RETAIN flag.
        public var message: MQTTMessage
        /// Present exactly when the QoS is above 0.
        public var packetIdentifier: UInt16?
        /// The DUP flag: set on re-deliveries of QoS > 0 messages.
        public var dup: Bool

        /// Creates a PUBLISH packet.
        public init(message: MQTTMessage, packetIdentifier: UInt16? = nil, dup: Bool = false) {
            self.message = message
            self.packetIdentifier = packetIdentifier
            self.dup = dup
        }
    }

    /// A SUBSCRIBE packet (§3.8).
    public struct Subscribe: Sendable, Hashable {
        /// Non-zero packet identifier.
        public var packetIdentifier: UInt16
        /// At least one topic filter with its requested QoS.
        public var subscriptions: [MQTTSubscription]

        /// Creates a SUBSCRIBE packet.
        public init(packetIdentifier: UInt16, subscriptions: [MQTTSubscription]) {
            self.packetIdentifier = packetIdentifier
            self.subscriptions = subscriptions
        }
    }

    /// A SUBACK packet (§3.9).
    public struct SubAck: Sendable, Hashable {
        /// The identifier of the acknowledged SUBSCRIBE.
        public var packetIdentifier: UInt16
        /// One return code per requested topic filter, in order.
        public var returnCodes: [MQTTSubscribeReturnCode]

        /// Creates a SUBACK packet.
        public init(packetIdentifier: UInt16, returnCodes: [MQTTSubscribeReturnCode]) {
            self.packetIdentifier = packetIdentifier
            self.returnCodes = returnCodes
        }
    }

    /// An UNSUBSCRIBE packet (§3.10).
    public struct Unsubscribe: Sendable, Hashable {
        /// Non-zero packet identifier.
        public var packetIdentifier: UInt16
        /// At least one topic filter.
        public var topicFilters: [String]

        /// Creates an UNSUBSCRIBE packet.
        public init(packetIdentifier: UInt16, topicFilters: [String]) {
            self.packetIdentifier = packetIdentifier
            self.topicFilters = topicFilters
        }
    }
}

extension MQTTPacket {
    /// The control packet type, the high nibble of the first byte (§2.2.1).
    enum PacketType: UInt8 {
        case connect = 1
        case connack = 2
        case publish = 3
        case puback = 4
        case pubrec = 5
        case pubrel = 6
        case pubcomp = 7
        case subscribe = 8
        case suback = 9
        case unsubscribe = 10
        case unsuback = 11
        case pingreq = 12
        case pingresp = 13
        case disconnect = 14

        /// The fixed low nibble for every type except PUBLISH (§2.2.2).
        var requiredFlags: UInt8 {
            switch self {
            case .pubrel, .subscribe, .unsubscribe: 0b0010
            default: 0
            }
        }
    }

    var packetType: PacketType {
        switch self {
        case .connect: .connect
        case .connack: .connack
        case .publish: .publish
        case .puback: .puback
        case .pubrec: .pubrec
        case .pubrel: .pubrel
        case .pubcomp: .pubcomp
        case .subscribe: .subscribe
        case .suback: .suback
        case .unsubscribe: .unsubscribe
        case .unsuback: .unsuback
        case .pingreq: .pingreq
        case .pingresp: .pingresp
        case .disconnect: .disconnect
        }
    }
}
