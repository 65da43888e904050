public import OrderedCollections

/// An NGSI-LD Subscription (5.2.12), decoded: names are expanded, filters parsed.
///
/// `document` keeps the subscription as the client wrote it (compact names, `q` text), for responses; `terms`
/// records the expansion of every name it uses, so that `document` can be decoded again later without the
/// @context it came with (see `Subscription+StoredForm`).
public struct Subscription: Sendable {
    public var id: String
    /// Entity selectors; `nil` when the subscription watches attributes of any entity.
    public var selectors: [EntitySelector]?
    /// Expanded names; `nil`: any attribute.
    public var watchedAttributes: [String]?
    public var triggers: Set<NotificationTrigger>
    public var q: QueryExpression?
    public var geoQ: GeoQuery?
    public var scopeQ: ScopeExpression?
    public var lang: String?
    /// `false`: paused by the client.
    public var isActive: Bool
    /// DateTime text (UTC), if the subscription expires.
    public var expiresAt: String?
    /// Seconds between two notifications at least.
    public var throttling: Double?
    /// Seconds between periodic notifications: set for a periodic subscription, which ignores changes.
    public var timeInterval: Double?
    public var notification: NotificationParameters
    /// Only these instances of multi-attributes (`datasetId`); `nil`: all.
    public var datasetIds: [String]?

    /// The subscription as written by the client, without `@context`.
    public var document: JSONObject
    /// The @context of the creating request, as given (a URL, an object or an array): used to compact
    /// notifications.
    public var context: JSON
    /// Every name `document` uses → its expanded IRI.
    public var terms: [String: String]
    public var createdAt: String
    public var modifiedAt: String
    /// Who created it, for the consent check at every delivery (personal data is notified only as that principal
    /// may read it); `nil` for subscriptions made in open mode or by Machi itself. Kept with the subscription, never
    /// shown in the API.
    public var reader: SubscriptionReader?

    /// The notification triggers when the client gives none.
    public static let defaultTriggers: [NotificationTrigger] = [.attributeCreated, .attributeUpdated]
}

/// What makes a subscription notify (`notificationTrigger`, 5.2.12).
public enum NotificationTrigger: String, Sendable, CaseIterable, Comparable {
    case entityCreated
    case entityUpdated
    case entityDeleted
    case attributeCreated
    case attributeUpdated
    case attributeDeleted

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How notified entities are represented.
public enum NotificationFormat: String, Sendable {
    case normalized
    case keyValues
    case concise
}

/// `notification` of a Subscription (NotificationParams, 5.2.14), without the status members the broker
/// maintains (see `SubscriptionStatus`).
public struct NotificationParameters: Sendable, Hashable {
    /// Expanded names of the attributes to include; `nil`: all.
    public var attributes: [String]?
    public var format: NotificationFormat
    public var showChanges: Bool
    public var sysAttrs: Bool
    public var endpoint: NotificationEndpoint
    /// Expanded projections (`pick` / `omit`, 4.21).
    public var pick: Projection?
    public var omit: Projection?
    /// Linked entities to include (4.5.23).
    public var join: EntityEncoder.Join?
    public var joinLevel = 1

    public init(
        attributes: [String]? = nil,
        format: NotificationFormat = .normalized,
        showChanges: Bool = false,
        sysAttrs: Bool = false,
        endpoint: NotificationEndpoint
    ) {
        self.attributes = attributes
        self.format = format
        self.showChanges = showChanges
        self.sysAttrs = sysAttrs
        self.endpoint = endpoint
    }
}

/// Where notifications go (Endpoint, 5.2.15).
public struct NotificationEndpoint: Sendable, Hashable {
    public var uri: String
    /// `application/json` (default), `application/ld+json` or `application/geo+json`.
    public var accept: String
    /// Milliseconds before a delivery counts as failed.
    public var timeout: Double?
    /// Milliseconds to wait after a failure before the next attempt.
    public var cooldown: Double?
    /// Sent to the receiver: HTTP headers, or MQTT user properties.
    public var receiverInfo: [KeyValuePair]
    /// Settings of the channel, e.g. `MQTT-Version`, `MQTT-QoS`.
    public var notifierInfo: [KeyValuePair]

    public init(
        uri: String,
        accept: String = "application/json",
        timeout: Double? = nil,
        cooldown: Double? = nil,
        receiverInfo: [KeyValuePair] = [],
        notifierInfo: [KeyValuePair] = []
    ) {
        self.uri = uri
        self.accept = accept
        self.timeout = timeout
        self.cooldown = cooldown
        self.receiverInfo = receiverInfo
        self.notifierInfo = notifierInfo
    }

    /// The URI schemes an endpoint may use.
    public static let schemes: Set<String> = ["http", "https", "mqtt", "mqtts"]
}

/// A `{key, value}` pair (KeyValuePair, 5.2.22).
public struct KeyValuePair: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// What the broker records about a subscription's notifications (the read-only members of NotificationParams).
public struct SubscriptionStatus: Sendable, Hashable {
    public var timesSent: Int = 0
    public var timesFailed: Int = 0
    /// DateTime texts (UTC).
    public var lastNotification: String?
    public var lastSuccess: String?
    public var lastFailure: String?
    /// Whether the last attempt failed: `notification.status` is then `failed`, otherwise `ok`.
    public var lastFailed = false

    public init() {}
}

/// The creator of a subscription as its deliveries read: the principal when it was created (roles and scopes as
/// its token had them) and the purpose it stated.
public struct SubscriptionReader: Sendable, Hashable {
    public var principal: Principal
    public var purpose: String?

    public init(principal: Principal, purpose: String?) {
        self.principal = principal
        self.purpose = purpose
    }
}
