import Foundation

/// A river water-level station (Smart Data Models `WaterObserved`).
public struct RiverStation: Sendable, Hashable {
    /// Local id, e.g. `narai-02`.
    public var id: String
    /// Display name.
    public var name: String
    /// Where the gauge stands.
    public var location: GeoPoint
    /// Water level in metres on a normal day.
    public var normalHeight: Double
    /// The level at which the city issues a flood warning (氾濫注意水位), metres.
    public var warningHeight: Double
    /// Water level at the flood peak, metres.
    public var peakHeight: Double
    /// Seconds the flood wave needs to reach this station (downstream stations peak later).
    public var lag: Double
    /// Rating curve `flow = coefficient × (height − zeroFlowHeight)^1.6`, in m³/s.
    public var ratingCoefficient: Double
    /// The level at which the flow is zero, metres.
    public var zeroFlowHeight: Double

    /// Creates a station.
    public init(
        id: String,
        name: String,
        location: GeoPoint,
        normalHeight: Double,
        warningHeight: Double,
        peakHeight: Double,
        lag: Double,
        ratingCoefficient: Double,
        zeroFlowHeight: Double = 0.2
    ) {
        self.id = id
        self.name = name
        self.location = location
        self.normalHeight = normalHeight
        self.warningHeight = warningHeight
        self.peakHeight = peakHeight
        self.lag = lag
        self.ratingCoefficient = ratingCoefficient
        self.zeroFlowHeight = zeroFlowHeight
    }
}

/// River water level and discharge as a pure function of scenario time and seed.
public struct RiverModel: Sendable, Hashable {
    /// The storm timeline.
    public var scenario: FloodScenario
    /// Seed of the small measurement noise.
    public var seed: UInt64

    /// Creates a model.
    public init(scenario: FloodScenario = FloodScenario(), seed: UInt64) {
        self.scenario = scenario
        self.seed = seed
    }

    /// Water level in metres at scenario time `t` (± 1 cm of noise).
    public func height(of station: RiverStation, at t: Double) -> Double {
        let intensity = self.scenario.intensity(at: t - station.lag)
        let noise = 0.01 * Noise.smooth(self.seed, Self.channel(station.id), t / 20)
        return station.normalHeight + (station.peakHeight - station.normalHeight) * intensity + noise
    }

    /// Discharge in m³/s for a water level (the station's rating curve).
    public func flow(of station: RiverStation, height: Double) -> Double {
        let depth = max(0, height - station.zeroFlowHeight)
        return station.ratingCoefficient * pow(depth, 1.6)
    }

    /// Whether the level at `t` is at or above the station's warning level.
    public func isAboveWarning(_ station: RiverStation, at t: Double) -> Bool {
        self.height(of: station, at: t) >= station.warningHeight
    }

    static func channel(_ id: String) -> Int {
        // FNV-1a: stable across runs, unlike `Hasher`.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash)
    }
}
