/// All models of the city, and the measures each device sends: a pure function of time, seed and trap state.
public struct CityModels: Sendable {
    /// The storm timeline shared by the models.
    public let scenario: FloodScenario
    /// Rivers.
    public let river: RiverModel
    /// Soil.
    public let soil: SoilModel
    /// Weather and air quality.
    public let weather: WeatherModel
    /// Shelters.
    public let shelters: ShelterModel
    /// Trap triggers.
    public let traps: TrapModel
    /// Bridge sensors.
    public let bridge: BridgeModel
    /// One timetable per route.
    public let buses: [BusModel]

    /// Creates the models for a seed and bridge settings.
    public init(
        seed: UInt64,
        bridgeRate: Double = 2800,
        bridgeSensorCount: Int = 48,
        scenario: FloodScenario = FloodScenario()
    ) {
        self.scenario = scenario
        self.river = RiverModel(scenario: scenario, seed: seed)
        self.soil = SoilModel(scenario: scenario, seed: seed)
        self.weather = WeatherModel(scenario: scenario, seed: seed)
        self.shelters = ShelterModel(scenario: scenario, seed: seed)
        self.traps = TrapModel(seed: seed)
        self.bridge = BridgeModel(rate: bridgeRate, sensorCount: bridgeSensorCount, seed: seed)
        self.buses = DemoCity.routes.map { BusModel(route: $0) }
    }

    /// The measures of a periodic device (every family but ``DeviceFamily/trap`` and ``DeviceFamily/bridge``)
    /// at scenario time `t` and wall-clock time `epochSeconds`; `nil` for traps and bridge sensors.
    public func measures(of device: DemoDevice, at t: Double, epochSeconds: Double) -> MeasureGroup? {
        let i = device.index
        switch device.family {
        case .river:
            let station = DemoCity.rivers[i]
            let height = self.river.height(of: station, at: t)
            return MeasureGroup([
                .number("h", height, decimals: 2),
                .number("f", self.river.flow(of: station, height: height), decimals: 1),
            ])
        case .soil:
            let station = DemoCity.soilStations[i]
            return MeasureGroup([
                .number("m", self.soil.moisture(of: station, at: t), decimals: 3),
                .number("t", self.soil.temperature(of: station, epochSeconds: epochSeconds), decimals: 1),
            ])
        case .shelterMeter:
            let reading = self.shelters.reading(of: DemoCity.shelters[i], at: t)
            return MeasureGroup([.number("pw", reading.power, decimals: 2), .text("ps", reading.powerStatus)])
        case .shelterCounter:
            let reading = self.shelters.reading(of: DemoCity.shelters[i], at: t)
            return MeasureGroup([.number("o", Double(reading.occupancy), decimals: 0), .text("st", reading.status)])
        case .bus:
            let bus = DemoCity.buses[i]
            let position = self.buses[bus.route].position(at: t, offset: bus.offset)
            let location = GeoPoint(
                longitude: NumberText.rounded(position.location.longitude, decimals: 6),
                latitude: NumberText.rounded(position.location.latitude, decimals: 6)
            )
            return MeasureGroup([
                Measure("l", .point(location)),
                .number("s", position.speed, decimals: 1),
                .number("b", position.bearing, decimals: 0),
            ])
        case .weather:
            let reading = self.weather.weather(at: t, epochSeconds: epochSeconds, station: i)
            return MeasureGroup([
                .number("t", reading.temperature, decimals: 1),
                .number("rh", reading.relativeHumidity, decimals: 2),
                .number("ws", reading.windSpeed, decimals: 1),
                .number("p", reading.precipitation, decimals: 1),
            ])
        case .airQuality:
            let reading = self.weather.airQuality(at: t, epochSeconds: epochSeconds, station: i)
            return MeasureGroup([
                .number("pm25", reading.pm25, decimals: 1),
                .number("no2", reading.no2, decimals: 1),
                .number("o3", reading.o3, decimals: 1),
            ])
        case .trap, .bridge:
            return nil
        }
    }

    /// The status report of a trap: status, battery level and (once triggered) the trigger time.
    ///
    /// `epochOfScenarioTime` converts a scenario time to wall-clock milliseconds.
    public func trapMeasures(
        of device: DemoDevice,
        state: TrapState,
        at t: Double,
        epochOfScenarioTime: (Double) -> Int64
    ) -> MeasureGroup {
        var measures: [Measure] = [
            .text("st", state.status.rawValue),
            .number("bt", self.traps.batteryLevel(trap: device.index, at: t), decimals: 2),
        ]
        if let last = state.lastTriggered {
            measures.append(Measure("lt", .dateTime(epochMilliseconds: epochOfScenarioTime(last))))
        }
        return MeasureGroup(measures)
    }

    /// The measures bridge sensor `device` took in `(from, to]` (seconds since the start), one timestamped group
    /// each; `startEpochMilliseconds` is the wall-clock time of second 0.
    public func bridgeMeasures(
        of device: DemoDevice,
        from: Double,
        to: Double,
        startEpochMilliseconds: Int64
    ) -> [MeasureGroup] {
        let kind = self.bridge.kind(ofSensor: device.index)
        return self.bridge.measureTimes(sensor: device.index, from: from, to: to).map { time in
            MeasureGroup(
                timestamp: startEpochMilliseconds + Int64((time * 1000).rounded(.down)),
                [.number("v", self.bridge.value(sensor: device.index, at: time), decimals: kind.decimals)]
            )
        }
    }
}
