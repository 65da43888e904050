import MachiCore

/// The model city as data: the service groups, devices and static NGSI-LD entities the simulator provisions.
///
/// ```swift
/// let city = DemoCity(usesMQTT: true)
/// city.devices.count  // 4 rivers + 3 soil + 6 traps + 8 shelter devices + 48 bridge + 4 buses + 1 + 2
/// ```
public struct DemoCity: Sendable {
    /// The city part of every entity id: `urn:ngsi-ld:<Type>:shiojiri:<local-id>`.
    public static let cityName = "shiojiri"

    /// One service group per device family.
    public let groups: [DeviceGroup]
    /// Every device.
    public let devices: [DemoDevice]
    /// Whether MQTT families publish over MQTT (otherwise everything goes over HTTP).
    public let usesMQTT: Bool

    /// Builds the city; with `usesMQTT == false` every device is provisioned and driven over HTTP.
    public init(usesMQTT: Bool, bridgeSensorCount: Int = 48) {
        self.usesMQTT = usesMQTT
        self.groups = DeviceFamily.allCases.map { family in
            DeviceGroup(
                family: family,
                apikey: Self.apikey(of: family),
                entityType: Self.entityType(of: family),
                format: Self.format(of: family)
            )
        }
        var devices: [DemoDevice] = []
        func add(
            _ family: DeviceFamily,
            _ index: Int,
            id: String,
            entity localID: String,
            _ attributes: [DeviceAttribute],
            _ statics: [StaticAttribute],
            commands: [String] = []
        ) {
            let type = Self.entityType(of: family)
            devices.append(
                DemoDevice(
                    id: id,
                    family: family,
                    index: index,
                    apikey: Self.apikey(of: family),
                    entityID: Self.entityID(type: type, localID: localID),
                    entityType: type,
                    format: Self.format(of: family),
                    transport: usesMQTT && Self.prefersMQTT(family) ? .mqtt : .http,
                    attributes: attributes,
                    staticAttributes: statics,
                    commands: commands
                )
            )
        }

        for (index, river) in Self.rivers.enumerated() {
            add(
                .river,
                index,
                id: "river-\(river.id)",
                entity: river.id,
                [
                    DeviceAttribute("h", "height", .number, unitCode: "MTR"),
                    DeviceAttribute("f", "flow", .number, unitCode: "MQS"),
                ],
                [
                    .location(river.location), StaticAttribute("name", .text, .string(river.name)),
                    StaticAttribute("warningHeight", .number, .number(river.warningHeight)),
                ]
            )
        }
        for (index, soil) in Self.soilStations.enumerated() {
            add(
                .soil,
                index,
                id: soil.id,
                entity: soil.id,
                [
                    DeviceAttribute("m", "soilMoistureVwc", .number, unitCode: "C62"),
                    DeviceAttribute("t", "soilTemperature", .number, unitCode: "CEL"),
                ],
                [.location(soil.location), StaticAttribute("name", .text, .string(soil.name))]
            )
        }
        for (index, trap) in Self.traps.enumerated() {
            add(
                .trap,
                index,
                id: trap.id,
                entity: trap.id,
                [
                    DeviceAttribute("st", "status", .text),
                    DeviceAttribute("bt", "batteryLevel", .number, unitCode: "C62"),
                    DeviceAttribute("lt", "lastTriggered", .dateTime),
                ],
                [
                    .location(trap.location), StaticAttribute("name", .text, .string(trap.name)),
                    StaticAttribute("targetSpecies", .text, .string(trap.targetSpecies)),
                ],
                commands: ["reset"]
            )
        }
        for (index, shelter) in Self.shelters.enumerated() {
            add(
                .shelterMeter,
                index,
                id: "meter-\(shelter.id)",
                entity: shelter.id,
                [
                    DeviceAttribute("pw", "power", .number, unitCode: "KWT"),
                    DeviceAttribute("ps", "powerStatus", .text),
                ],
                []
            )
            add(
                .shelterCounter,
                index,
                id: "counter-\(shelter.id)",
                entity: shelter.id,
                [DeviceAttribute("o", "occupancy", .number), DeviceAttribute("st", "status", .text)],
                []
            )
        }
        let bridge = BridgeModel(sensorCount: bridgeSensorCount, seed: 0)
        let positions = max(1, bridgeSensorCount / 3)
        for index in 0..<bridgeSensorCount {
            let kind = bridge.kind(ofSensor: index)
            let slot = index % positions
            let fraction = positions > 1 ? Double(slot) / Double(positions - 1) : 0.5
            let number = Self.pad(index + 1)
            add(
                .bridge,
                index,
                id: "bridge-\(number)",
                entity: "naraigawa-bridge-\(number)",
                [DeviceAttribute("v", kind.attributeName, .number, unitCode: kind.unitCode)],
                [
                    .location(Self.bridgeEnds.west.interpolated(to: Self.bridgeEnds.east, fraction: fraction)),
                    StaticAttribute("name", .text, .string("奈良井川橋 (Naraigawa Bridge) \(kind.rawValue) \(number)")),
                    StaticAttribute("sensorType", .text, .string(kind.rawValue)),
                    StaticAttribute("distanceFromWestAbutment", .number, .number(Self.bridgeSpan * fraction)),
                ]
            )
        }
        for (index, bus) in Self.buses.enumerated() {
            let route = Self.routes[bus.route]
            add(
                .bus,
                index,
                id: bus.id,
                entity: bus.id,
                [
                    DeviceAttribute("l", "location", .geoJSON),
                    DeviceAttribute("s", "speed", .number, unitCode: "KMH"),
                    DeviceAttribute("b", "bearing", .number, unitCode: "DD"),
                ],
                [
                    StaticAttribute("vehicleType", .text, "bus"),
                    StaticAttribute("name", .text, .string("\(route.name) \(bus.id)")),
                    StaticAttribute("vehiclePlateIdentifier", .text, .string(bus.plate)),
                    StaticAttribute(
                        "routeId",
                        .relationship,
                        .string(Self.entityID(type: "GtfsRoute", localID: route.id))
                    ),
                ]
            )
        }
        for (index, station) in Self.weatherStations.enumerated() {
            add(
                .weather,
                index,
                id: station.id,
                entity: station.id,
                [
                    DeviceAttribute("t", "temperature", .number, unitCode: "CEL"),
                    DeviceAttribute("rh", "relativeHumidity", .number, unitCode: "C62"),
                    DeviceAttribute("ws", "windSpeed", .number, unitCode: "MTS"),
                    DeviceAttribute("p", "precipitation", .number),
                ],
                [.location(station.location), StaticAttribute("name", .text, .string(station.name))]
            )
        }
        for (index, station) in Self.airStations.enumerated() {
            add(
                .airQuality,
                index,
                id: station.id,
                entity: station.id,
                [
                    DeviceAttribute("pm25", "pm25", .number, unitCode: "GQ"),
                    DeviceAttribute("no2", "no2", .number, unitCode: "GQ"),
                    DeviceAttribute("o3", "o3", .number, unitCode: "GQ"),
                ],
                [.location(station.location), StaticAttribute("name", .text, .string(station.name))]
            )
        }
        self.devices = devices
    }

    /// Length of the bridge's main span in metres.
    public static let bridgeSpan = 215.0

    /// `urn:ngsi-ld:<type>:shiojiri:<localID>`.
    public static func entityID(type: String, localID: String) -> String {
        "urn:ngsi-ld:\(type):\(Self.cityName):\(localID)"
    }

    /// The devices of one family, in index order.
    public func devices(of family: DeviceFamily) -> [DemoDevice] {
        self.devices.filter { $0.family == family }
    }

    /// The API key of a family's service group.
    public static func apikey(of family: DeviceFamily) -> String {
        switch family {
        case .river: "shiojiri-river"
        case .soil: "shiojiri-soil"
        case .trap: "shiojiri-trap"
        case .shelterMeter: "shiojiri-power"
        case .shelterCounter: "shiojiri-shelter"
        case .bridge: "shiojiri-bridge"
        case .bus: "shiojiri-bus"
        case .weather: "shiojiri-weather"
        case .airQuality: "shiojiri-air"
        }
    }

    /// The NGSI-LD entity type a family's devices update.
    public static func entityType(of family: DeviceFamily) -> String {
        switch family {
        case .river: "WaterObserved"
        case .soil: "AgriParcelRecord"
        case .trap: "AnimalTrap"
        case .shelterMeter, .shelterCounter: "PointOfInterest"
        case .bridge: "BridgeSensor"
        case .bus: "Vehicle"
        case .weather: "WeatherObserved"
        case .airQuality: "AirQualityObserved"
        }
    }

    /// The payload format of a family.
    public static func format(of family: DeviceFamily) -> PayloadFormat {
        switch family {
        case .river, .trap, .shelterMeter, .bridge, .airQuality: .ultraLight
        case .soil, .shelterCounter, .bus, .weather: .json
        }
    }

    /// Whether a family publishes over MQTT when a broker is available (the others always use HTTP).
    public static func prefersMQTT(_ family: DeviceFamily) -> Bool {
        switch family {
        case .trap, .shelterCounter, .bridge, .bus, .airQuality: true
        case .river, .soil, .shelterMeter, .weather: false
        }
    }

    private static func pad(_ number: Int) -> String {
        number < 10 ? "0\(number)" : "\(number)"
    }
}
