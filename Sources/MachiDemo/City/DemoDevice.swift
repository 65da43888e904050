public import MachiCore
import OrderedCollections

/// How a device reaches the IoT agent.
public enum DemoTransport: String, Sendable, Hashable {
    /// `POST /iot/d` (UltraLight) or `POST /iot/json` (JSON) on the server.
    case http = "HTTP"
    /// Publishes on the MQTT broker the IoT agent listens to.
    case mqtt = "MQTT"
}

/// The southbound payload format.
public enum PayloadFormat: String, Sendable, Hashable {
    /// UltraLight 2.0 (`h|2.31|f|35.2`), protocol `PDI-IoTA-UltraLight`.
    case ultraLight = "PDI-IoTA-UltraLight"
    /// JSON (`{"h":2.31}`), protocol `IoTA-JSON`.
    case json = "IoTA-JSON"

    /// The HTTP resource (service group `resource`) of this format.
    public var resource: String {
        switch self {
        case .ultraLight: "/iot/d"
        case .json: "/iot/json"
        }
    }
}

/// The kinds of device in the model city; each kind is one service group with its own API key.
public enum DeviceFamily: String, Sendable, Hashable, CaseIterable {
    /// River water-level gauges (`WaterObserved`).
    case river
    /// Slope soil-moisture probes (`AgriParcelRecord`).
    case soil
    /// Wildlife traps (`AnimalTrap`), with the `reset` command.
    case trap
    /// Shelter smart meters (`PointOfInterest` power attributes).
    case shelterMeter
    /// Shelter people counters (`PointOfInterest` occupancy and status).
    case shelterCounter
    /// Bridge strain, vibration and temperature sensors (`BridgeSensor`).
    case bridge
    /// Community buses (`Vehicle`).
    case bus
    /// The weather station (`WeatherObserved`).
    case weather
    /// Air-quality stations (`AirQualityObserved`).
    case airQuality
}

/// NGSI attribute types the IoT agent understands in provisioning.
public enum AttributeType: String, Sendable, Hashable {
    /// A number → NGSI-LD Property.
    case number = "Number"
    /// A string → Property.
    case text = "Text"
    /// A Boolean → Property.
    case boolean = "Boolean"
    /// A GeoJSON geometry → GeoProperty.
    case geoJSON = "geo:json"
    /// A URN → Relationship.
    case relationship = "Relationship"
    /// An ISO 8601 date-time → Property with a DateTime value.
    case dateTime = "DateTime"
}

/// An active attribute: a measure `objectID` mapped to attribute `name`.
public struct DeviceAttribute: Sendable, Hashable {
    /// The short key in the payload (`h`).
    public var objectID: String
    /// The NGSI-LD attribute name (`height`).
    public var name: String
    /// The attribute type.
    public var type: AttributeType
    /// UN/CEFACT unit code sent as `unitCode` metadata, if any.
    public var unitCode: String?

    /// Creates an active attribute.
    public init(_ objectID: String, _ name: String, _ type: AttributeType, unitCode: String? = nil) {
        self.objectID = objectID
        self.name = name
        self.type = type
        self.unitCode = unitCode
    }
}

/// A static attribute: a fixed value the agent adds to every update.
public struct StaticAttribute: Sendable, Hashable {
    /// The attribute name.
    public var name: String
    /// The attribute type.
    public var type: AttributeType
    /// The value.
    public var value: JSON

    /// Creates a static attribute.
    public init(_ name: String, _ type: AttributeType, _ value: JSON) {
        self.name = name
        self.type = type
        self.value = value
    }

    /// A `geo:json` Point.
    public static func location(_ point: GeoPoint) -> StaticAttribute {
        StaticAttribute("location", .geoJSON, point.geoJSON)
    }
}

/// One service group (`/iot/services`).
public struct DeviceGroup: Sendable, Hashable {
    /// The family it serves.
    public var family: DeviceFamily
    /// The API key (`k=` / MQTT topic segment).
    public var apikey: String
    /// The default entity type.
    public var entityType: String
    /// UltraLight or JSON.
    public var format: PayloadFormat
}

/// One provisioned device.
public struct DemoDevice: Sendable, Hashable {
    /// The `device_id` (`i=`).
    public var id: String
    /// The family; selects the model that produces its measures.
    public var family: DeviceFamily
    /// The index within the family (the model's sensor, trap or bus number).
    public var index: Int
    /// The API key of its group.
    public var apikey: String
    /// The NGSI-LD entity it updates.
    public var entityID: String
    /// The entity type.
    public var entityType: String
    /// UltraLight or JSON.
    public var format: PayloadFormat
    /// HTTP or MQTT.
    public var transport: DemoTransport
    /// Active attributes.
    public var attributes: [DeviceAttribute]
    /// Static attributes.
    public var staticAttributes: [StaticAttribute]
    /// Command names (e.g. `reset`).
    public var commands: [String]
}

extension GeoPoint {
    /// GeoJSON `Point` with `[longitude, latitude]`.
    public var geoJSON: JSON {
        ["type": "Point", "coordinates": [.number(self.longitude), .number(self.latitude)]]
    }
}
