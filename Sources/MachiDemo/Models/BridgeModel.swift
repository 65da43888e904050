import Foundation

/// What a bridge sensor measures.
public enum BridgeSensorKind: String, Sendable, Hashable, CaseIterable {
    /// Strain of a girder, in microstrain (µε).
    case strain
    /// Vertical acceleration of the deck, in m/s².
    case vibration
    /// Temperature of the steel, in °C.
    case temperature

    /// The NGSI-LD attribute the measure is written to.
    public var attributeName: String {
        switch self {
        case .strain: "strain"
        case .vibration: "acceleration"
        case .temperature: "temperature"
        }
    }

    /// UN/CEFACT unit code (`nil` for microstrain, which has none).
    public var unitCode: String? {
        switch self {
        case .strain: nil
        case .vibration: "MSK"
        case .temperature: "CEL"
        }
    }

    /// Fraction digits sent.
    public var decimals: Int {
        switch self {
        case .strain: 1
        case .vibration: 4
        case .temperature: 2
        }
    }
}

/// The bridge monitoring system: `sensorCount` sensors sharing a total rate of `rate` measures per second.
///
/// Sensor `i` takes its `k`-th measure at `(k - phase(i)) / perSensorRate` seconds; staggering the phases spreads
/// the load evenly. The number of measures in any interval is therefore known exactly, which the tests check.
public struct BridgeModel: Sendable, Hashable {
    /// Measures per second over all sensors.
    public var rate: Double
    /// Number of sensors (48 on the Tokyo Gate Bridge this is modelled on).
    public var sensorCount: Int
    /// Seed of the noise.
    public var seed: UInt64

    /// Creates a model.
    public init(rate: Double = 2800, sensorCount: Int = 48, seed: UInt64) {
        precondition(sensorCount > 0 && rate >= 0)
        self.rate = rate
        self.sensorCount = sensorCount
        self.seed = seed
    }

    /// Measures per second of one sensor.
    public var perSensorRate: Double { self.rate / Double(self.sensorCount) }

    /// Sensors 0..<n/3 measure strain, the next third vibration, the rest temperature.
    public func kind(ofSensor index: Int) -> BridgeSensorKind {
        let third = max(1, self.sensorCount / 3)
        if index < third { return .strain }
        if index < 2 * third { return .vibration }
        return .temperature
    }

    /// Number of measures sensor `index` has taken in `[0, t]` (real seconds since the start).
    public func measureCount(sensor index: Int, upTo t: Double) -> Int {
        guard t >= 0, self.rate > 0 else { return 0 }
        return Int((t * self.perSensorRate + self.phase(index)).rounded(.down))
    }

    /// The instants (seconds since the start) of sensor `index`'s measures in `(from, to]`.
    public func measureTimes(sensor index: Int, from: Double, to: Double) -> [Double] {
        let first = self.measureCount(sensor: index, upTo: from) + 1
        let last = self.measureCount(sensor: index, upTo: to)
        guard last >= first else { return [] }
        let phase = self.phase(index)
        return (first...last).map { (Double($0) - phase) / self.perSensorRate }
    }

    /// The value sensor `index` measures at `t` seconds since the start.
    public func value(sensor index: Int, at t: Double) -> Double {
        let wiggle = Noise.unit(self.seed, 300 + index, Int((t * 1000).rounded(.down))) * 2 - 1
        // Traffic: smooth random load with lorries now and then.
        let traffic = max(0, Noise.smooth(self.seed, 400, t / 4))
        let position = Double(index % 16) / 15  // along the span, 0 at the south abutment
        let midSpan = sin(position * .pi)
        switch self.kind(ofSensor: index) {
        case .strain:
            return 180 + 40 * midSpan + 90 * traffic * midSpan + 12 * sin(2 * .pi * t / 600) + 1.5 * wiggle
        case .vibration:
            let modes = 0.012 * sin(2 * .pi * 2.3 * t) + 0.006 * sin(2 * .pi * 5.1 * t + position)
            return modes * (1 + 6 * traffic) + 0.002 * wiggle
        case .temperature:
            return 9 + 4 * sin(2 * .pi * t / 86_400) + 0.8 * position + 0.05 * wiggle
        }
    }

    private func phase(_ index: Int) -> Double {
        Double(index) / Double(self.sensorCount)
    }
}
