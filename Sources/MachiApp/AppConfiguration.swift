public import Configuration
import Foundation
public import MachiBroker
public import MachiHTTP
public import MachiIdentity

/// Everything `machi serve` can be configured with, read from a `ConfigReader`
/// (command-line options → environment → `.env` → defaults).
///
/// Keys:
/// - `http.host` (string, default `0.0.0.0`), `http.port` (int, default 1026);
/// - `http.public.url` (string, default `http://localhost:<port>`): how clients reach this server;
/// - `store.sqlite.path` (string, default `./machi-data`): the directory of the SQLite files;
/// - `store.sqlite.synchronous` (string `full|normal`, default `full`);
/// - `contexts.fetch.enabled` (bool, default true), `contexts.fetch.timeout` (double seconds, default 5),
///   `contexts.fetch.max.bytes` (int, default 1 MiB), `contexts.fetch.allow` (comma-separated URL prefixes; empty = any);
/// - `contexts.seed` (string, optional): a directory of local copies of remote @contexts, used instead of fetching
///   them (a `manifest.json` maps each URL to a file; see `ContextSeed`); a bad seed stops the server at start;
/// - `limits.body.bytes` (default 8 MiB), `limits.json.depth` (64), `limits.q.length` (4096),
///   `limits.page.default` (20), `limits.page.max` (1000), `limits.batch.max` (10000);
/// - `identity.alias` (string, optional): this broker's Context Source alias (`/info/sourceIdentity`); by default a
///   random URN made on first start and kept in the data directory;
/// - `iot.mqtt.url` (string, optional, e.g. `mqtt://localhost:1883`, with `user:password@` if the broker needs it):
///   the MQTT broker the IoT agent's southbound subscribes to and publishes commands on; none by default (devices
///   then use HTTP);
/// - `iot.jsonld.context` (string, optional): the URL of the @context that expands the IoT agent's attribute names
///   and entity types (the NGSI-LD core context by default);
/// - `temporal.retention.days` (int, default 0 = keep forever): days the temporal evolution (attribute instances) is
///   kept, by the time it was recorded; `temporal.retention.tenants` (string, e.g. `shiojiri=30,okaya=365`): per
///   tenant overrides;
/// - `auth.mode` (string `open|required`, default `required`): `open` allows everything to everyone (printed as a
///   warning at start); `required` verifies bearer tokens (no token: anonymous; a bad one: 401);
/// - `identity.secret` (string, secret, ≥ 32 characters; env `MACHI_IDENTITY_SECRET` or `IDENTITY_SECRET`): the
///   deployment secret of keyed pseudonyms and sign-in cookies; by default generated once into
///   `<data>/identity-secret` (mode 0600);
/// - the `identity.*` keys of `IdentityConfiguration(reader:publicURL:)` (issuer, audience, lifetimes, key
///   rotation, external issuers, sign-in throttling);
/// - `auth.public.read` (comma-separated tenant names, `default` for the default tenant; empty by default): tenants
///   whose open (non-personal) data anonymous callers may read;
/// - `consent.personal.types` (comma-separated `tenant=Type` entries, `default` for the default tenant, types as
///   IRIs or short names of the core @context; empty by default): entity types each tenant marks personal (see
///   docs/consent.md); a malformed value stops the server at start;
/// - `audit.enabled` (bool, default true): whether writes append to the audit trail (see docs/audit.md); off only
///   to measure what the trail costs;
/// - `log.level` (string, default `info`).
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var publicURL: String?
    public var dataDirectory: String?
    public var synchronousFull: Bool
    public var contextFetchEnabled: Bool
    public var contextFetchTimeout: Double
    public var contextFetchMaxBytes: Int
    public var contextFetchAllowList: [String]
    /// The directory of seeded @contexts (`contexts.seed`), if any.
    public var contextSeed: String?
    public var limits: APILimits
    public var sourceAlias: String?
    public var logLevel: String
    public var iotMQTTURL: String?
    public var iotContext: String?
    public var temporalRetention: TemporalRetention
    /// Tenants anonymous callers may read (`""` is the default tenant).
    public var publicReadTenants: Set<String>
    /// `consent.personal.types`: the entity types each tenant marks personal.
    public var personalTypes: PersonalTypes
    /// `auth.mode`.
    public var authMode: AuthMode
    /// Token issuing and checking; `nil` derives it from the public URL with the defaults.
    public var identity: IdentityConfiguration?
    /// `identity.secret`; `nil` uses (or creates) the data directory's secret file.
    public var identitySecret: String?
    /// `audit.enabled`.
    public var auditEnabled: Bool

    public init(
        host: String = "0.0.0.0",
        port: Int = 1026,
        publicURL: String? = nil,
        dataDirectory: String? = "./machi-data",
        synchronousFull: Bool = true,
        contextFetchEnabled: Bool = true,
        contextFetchTimeout: Double = 5,
        contextFetchMaxBytes: Int = 1 << 20,
        contextFetchAllowList: [String] = [],
        contextSeed: String? = nil,
        limits: APILimits = APILimits(),
        sourceAlias: String? = nil,
        logLevel: String = "info",
        iotMQTTURL: String? = nil,
        iotContext: String? = nil,
        temporalRetention: TemporalRetention = TemporalRetention(),
        publicReadTenants: Set<String> = [],
        personalTypes: PersonalTypes = PersonalTypes(),
        authMode: AuthMode = .required,
        identity: IdentityConfiguration? = nil,
        identitySecret: String? = nil,
        auditEnabled: Bool = true
    ) {
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.dataDirectory = dataDirectory
        self.synchronousFull = synchronousFull
        self.contextFetchEnabled = contextFetchEnabled
        self.contextFetchTimeout = contextFetchTimeout
        self.contextFetchMaxBytes = contextFetchMaxBytes
        self.contextFetchAllowList = contextFetchAllowList
        self.contextSeed = contextSeed
        self.limits = limits
        self.sourceAlias = sourceAlias
        self.logLevel = logLevel
        self.iotMQTTURL = iotMQTTURL
        self.iotContext = iotContext
        self.temporalRetention = temporalRetention
        self.authMode = authMode
        self.identity = identity
        self.identitySecret = identitySecret
        self.publicReadTenants = publicReadTenants
        self.personalTypes = personalTypes
        self.auditEnabled = auditEnabled
    }

    /// Reads the keys listed above.
    public init(reader: ConfigReader) {
        let defaults = AppConfiguration()
        host = reader.string(forKey: "http.host", default: defaults.host)
        port = reader.int(forKey: "http.port", default: defaults.port)
        publicURL = reader.string(forKey: "http.public.url")
        let path = reader.string(forKey: "store.sqlite.path", default: "./machi-data")
        dataDirectory = path == ":memory:" ? nil : path
        synchronousFull = reader.string(forKey: "store.sqlite.synchronous", default: "full").lowercased() != "normal"
        contextFetchEnabled = reader.bool(forKey: "contexts.fetch.enabled", default: true)
        auditEnabled = reader.bool(forKey: "audit.enabled", default: true)
        contextFetchTimeout = reader.double(forKey: "contexts.fetch.timeout", default: 5)
        contextFetchMaxBytes = reader.int(forKey: "contexts.fetch.max.bytes", default: 1 << 20)
        contextFetchAllowList = reader.string(forKey: "contexts.fetch.allow", default: "")
            .split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        contextSeed = reader.string(forKey: "contexts.seed").flatMap { $0.isEmpty ? nil : $0 }
        limits = APILimits(
            maxBodyBytes: reader.int(forKey: "limits.body.bytes", default: defaults.limits.maxBodyBytes),
            maxJSONDepth: reader.int(forKey: "limits.json.depth", default: defaults.limits.maxJSONDepth),
            maxQueryLength: reader.int(forKey: "limits.q.length", default: defaults.limits.maxQueryLength),
            defaultLimit: reader.int(forKey: "limits.page.default", default: defaults.limits.defaultLimit),
            maxLimit: reader.int(forKey: "limits.page.max", default: defaults.limits.maxLimit),
            maxBatchSize: reader.int(forKey: "limits.batch.max", default: defaults.limits.maxBatchSize)
        )
        sourceAlias = reader.string(forKey: "identity.alias")
        logLevel = reader.string(forKey: "log.level", default: "info")
        iotMQTTURL = reader.string(forKey: "iot.mqtt.url")
        iotContext = reader.string(forKey: "iot.jsonld.context")
        publicReadTenants = Set(
            reader.string(forKey: "auth.public.read", default: "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .map { $0 == "default" ? "" : $0 }
        )
        personalTypes = PersonalTypes()
        do {
            personalTypes = try PersonalTypes.parse(reader.string(forKey: "consent.personal.types", default: ""))
        } catch {
            personalTypesError = error
        }
        let days = reader.int(forKey: "temporal.retention.days", default: 0)
        let tenants = reader.string(forKey: "temporal.retention.tenants", default: "")
        temporalRetention = TemporalRetention(days: days > 0 ? days : nil, tenantDays: [:])
        do {
            temporalRetention.tenantDays = try TemporalRetention.tenantDays(tenants)
        } catch {
            retentionError = error
        }
        let mode = reader.string(forKey: "auth.mode", default: AuthMode.required.rawValue).lowercased()
        authMode = AuthMode(rawValue: mode) ?? .required
        if AuthMode(rawValue: mode) == nil {
            authModeError = ConfigurationError(description: "auth.mode must be open or required, got '\(mode)'")
        }
        identity = IdentityConfiguration(reader: reader, publicURL: publicURL ?? "http://localhost:\(port)")
        identitySecret =
            reader.string(forKey: "machi.identity.secret", isSecret: true)
            ?? reader.string(forKey: "identity.secret", isSecret: true)
    }

    /// An `auth.mode` value that is neither `open` nor `required`; `MachiServer` refuses to start with it.
    public var authModeError: ConfigurationError?

    /// A `temporal.retention.tenants` value that could not be read; `MachiServer` refuses to start with it.
    public var retentionError: RetentionError?

    /// A `consent.personal.types` value that could not be read; `MachiServer` refuses to start with it.
    public var personalTypesError: PersonalTypesError?
}

/// A configuration value Machi cannot use.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
