import Foundation

/// A slope soil-moisture sensor (debris-flow early warning), published as Smart Data Models `AgriParcelRecord`.
public struct SoilStation: Sendable, Hashable {
    /// Local id, e.g. `soil-01`.
    public var id: String
    /// Display name.
    public var name: String
    /// Where the probe is buried.
    public var location: GeoPoint
    /// Volumetric water content (m³/m³) on a dry day.
    public var dryContent: Double
    /// Volumetric water content when saturated.
    public var saturatedContent: Double

    /// Creates a station.
    public init(id: String, name: String, location: GeoPoint, dryContent: Double, saturatedContent: Double) {
        self.id = id
        self.name = name
        self.location = location
        self.dryContent = dryContent
        self.saturatedContent = saturatedContent
    }
}

/// Soil moisture follows the rain (it saturates while the rivers are still rising) and soil temperature follows
/// the time of day.
public struct SoilModel: Sendable, Hashable {
    /// The storm timeline.
    public var scenario: FloodScenario
    /// Seed of the measurement noise.
    public var seed: UInt64

    /// Creates a model.
    public init(scenario: FloodScenario = FloodScenario(), seed: UInt64) {
        self.scenario = scenario
        self.seed = seed
    }

    /// Volumetric water content in m³/m³ (0...1) at scenario time `t`.
    public func moisture(of station: SoilStation, at t: Double) -> Double {
        let wetness = self.scenario.rain(at: t)
        let noise = 0.003 * Noise.smooth(self.seed, RiverModel.channel(station.id), t / 30)
        let value = station.dryContent + (station.saturatedContent - station.dryContent) * wetness + noise
        return max(0, min(1, value))
    }

    /// Soil temperature in °C 10 cm deep: a damped diurnal cycle peaking mid-afternoon JST.
    public func temperature(of station: SoilStation, epochSeconds: Double) -> Double {
        let hour = LocalTime.hourOfDay(epochSeconds: epochSeconds)
        return 12 + 3 * sin((hour - 9) / 24 * 2 * .pi)
    }
}
