/// What the simulator talks to and how hard it drives the city.
public struct DemoOptions: Sendable, Hashable {
    /// Base URL of the Machi server (NGSI-LD and IoT agent), e.g. `http://localhost:1026`.
    public var target: String
    /// MQTT broker host; `nil` sends everything over HTTP.
    public var mqttHost: String?
    /// MQTT broker port.
    public var mqttPort: Int
    /// Bridge measures per second over all sensors (2,800 on the Tokyo Gate Bridge); 0 stops the bridge.
    public var bridgeRate: Double
    /// Number of bridge sensors.
    public var bridgeSensorCount: Int
    /// Scenario speed: 2 runs the flood twice as fast (measure intervals and the bridge rate stay real-time).
    public var speed: Double
    /// `fiware-service` header (tenant); `nil` uses the default tenant.
    public var service: String?
    /// `fiware-servicepath` header.
    public var servicePath: String
    /// Seed of every random choice; the same seed replays the same city.
    public var seed: UInt64
    /// An OAuth 2.0 access token sent with provisioning (`iot:admin`, `ngsi-ld:write`); devices' measures use their
    /// API keys. `nil` for a server in `--auth open` mode.
    public var accessToken: String?

    /// Creates options; only `target` usually needs changing.
    public init(
        target: String = "http://localhost:1026",
        mqttHost: String? = nil,
        mqttPort: Int = 1883,
        bridgeRate: Double = 2800,
        bridgeSensorCount: Int = 48,
        speed: Double = 1,
        service: String? = nil,
        servicePath: String = "/",
        seed: UInt64 = 2026,
        accessToken: String? = nil
    ) {
        self.target = target
        self.mqttHost = mqttHost
        self.mqttPort = mqttPort
        self.bridgeRate = bridgeRate
        self.bridgeSensorCount = bridgeSensorCount
        self.speed = speed
        self.service = service
        self.servicePath = servicePath
        self.seed = seed
        self.accessToken = accessToken
    }

    /// Splits `host:port` (or `host`, port 1883); `nil` for an empty host or a bad port.
    public static func parseMQTTAddress(_ text: String) -> (host: String, port: Int)? {
        var host = Substring(text)
        var port = 1883
        if let colon = text.lastIndex(of: ":") {
            guard let number = Int(text[text.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            host = text[..<colon]
            port = number
        }
        guard !host.isEmpty else { return nil }
        return (String(host), port)
    }

    /// `target` without a trailing slash.
    var baseURL: String {
        var url = self.target
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
