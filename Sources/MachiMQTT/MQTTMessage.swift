public import NIOCore

/// MQTT quality of service level (MQTT 3.1.1 §4.3).
///
/// ``exactlyOnce`` exists because it is a valid value on the wire; ``MQTTClient`` rejects it with
/// ``MQTTError/Code/unsupported``.
public enum MQTTQoS: UInt8, Sendable, Hashable, CaseIterable, Comparable {
    /// QoS 0: fire and forget.
    case atMostOnce = 0
    /// QoS 1: acknowledged with PUBACK, may be delivered more than once.
    case atLeastOnce = 1
    /// QoS 2: four-step handshake (not supported by ``MQTTClient``).
    case exactlyOnce = 2

    /// Orders by level: QoS 0 < QoS 1 < QoS 2.
    public static func < (lhs: MQTTQoS, rhs: MQTTQoS) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An application message: what is published and what is delivered to subscribers.
public struct MQTTMessage: Sendable, Hashable {
    /// The topic name (no wildcards).
    public var topic: String
    /// The application payload; may be empty.
    public var payload: ByteBuffer
    /// The QoS the message is (or was) transmitted with.
    public var qos: MQTTQoS
    /// The RETAIN flag.
    public var retain: Bool

    /// Creates a message.
    public init(topic: String, payload: ByteBuffer, qos: MQTTQoS = .atMostOnce, retain: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}

/// A topic filter and the maximum QoS requested for it, as sent in SUBSCRIBE.
public struct MQTTSubscription: Sendable, Hashable {
    /// The topic filter; may contain the wildcards `+` and `#`.
    public var topicFilter: String
    /// The maximum QoS the broker should deliver with.
    public var qos: MQTTQoS

    /// Creates a subscription request.
    public init(topicFilter: String, qos: MQTTQoS = .atMostOnce) {
        self.topicFilter = topicFilter
        self.qos = qos
    }
}

/// One entry of a SUBACK: the QoS granted for a topic filter, or failure (`0x80`).
public enum MQTTSubscribeReturnCode: Sendable, Hashable {
    /// The subscription was accepted with this maximum QoS.
    case granted(MQTTQoS)
    /// The broker rejected the subscription.
    case failure

    /// The byte on the wire.
    public var rawValue: UInt8 {
        switch self {
        case .granted(let qos): qos.rawValue
        case .failure: 0x80
        }
    }

    /// Parses the byte on the wire; `nil` for reserved values.
    public init?(rawValue: UInt8) {
        if rawValue == 0x80 {
            self = .failure
        } else if let qos = MQTTQoS(rawValue: rawValue) {
            self = .granted(qos)
        } else {
            return nil
        }
    }
}

/// The return code of a CONNACK (MQTT 3.1.1 §3.2.2.3).
public enum MQTTConnectReturnCode: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// 0: connection accepted.
    case accepted = 0
    /// 1: the broker does not support protocol level 4.
    case unacceptableProtocolVersion = 1
    /// 2: the client identifier is not allowed.
    case identifierRejected = 2
    /// 3: the MQTT service is unavailable.
    case serverUnavailable = 3
    /// 4: the user name or password is malformed or wrong.
    case badUsernameOrPassword = 4
    /// 5: the client is not authorized to connect.
    case notAuthorized = 5

    /// The meaning of the return code in words.
    public var description: String {
        switch self {
        case .accepted: "accepted"
        case .unacceptableProtocolVersion: "unacceptable protocol version"
        case .identifierRejected: "identifier rejected"
        case .serverUnavailable: "server unavailable"
        case .badUsernameOrPassword: "bad user name or password"
        case .notAuthorized: "not authorized"
        }
    }
}
