import Foundation

/// One weather observation (Smart Data Models `WeatherObserved`).
public struct WeatherReading: Sendable, Hashable {
    /// Air temperature, °C.
    public var temperature: Double
    /// Relative humidity as a fraction 0...1 (SDM convention).
    public var relativeHumidity: Double
    /// Wind speed, m/s.
    public var windSpeed: Double
    /// Precipitation intensity, mm/h.
    public var precipitation: Double
}

/// One air-quality observation (Smart Data Models `AirQualityObserved`), concentrations in µg/m³.
public struct AirQualityReading: Sendable, Hashable {
    /// Fine particulate matter PM2.5.
    public var pm25: Double
    /// Nitrogen dioxide.
    public var no2: Double
    /// Ozone.
    public var o3: Double
}

/// Weather and air quality: diurnal cycles in Japan Standard Time plus the storm of the ``FloodScenario``.
public struct WeatherModel: Sendable, Hashable {
    /// The storm timeline.
    public var scenario: FloodScenario
    /// Seed of the noise.
    public var seed: UInt64

    /// Creates a model.
    public init(scenario: FloodScenario = FloodScenario(), seed: UInt64) {
        self.scenario = scenario
        self.seed = seed
    }

    /// The weather at scenario time `t` and wall-clock time `epochSeconds` (for the time of day).
    public func weather(at t: Double, epochSeconds: Double, station: Int = 0) -> WeatherReading {
        let rain = self.scenario.rain(at: t)
        let hour = LocalTime.hourOfDay(epochSeconds: epochSeconds)
        let diurnal = sin((hour - 9) / 24 * 2 * .pi)  // +1 at 15:00, −1 at 03:00
        let gust = Noise.smooth(self.seed, 100 + station, t / 15)
        return WeatherReading(
            temperature: 11 + 6 * diurnal - 3 * rain + 0.2 * gust,
            relativeHumidity: max(0.2, min(0.99, 0.62 - 0.15 * diurnal + 0.35 * rain + 0.02 * gust)),
            windSpeed: max(0, 1.8 + 7 * rain + 1.2 * gust),
            precipitation: rain > 0.02 ? 2 + 48 * rain : 0
        )
    }

    /// Air quality at scenario time `t`: traffic peaks at 08:00 and 18:00 JST, ozone in the afternoon, rain washes
    /// particles out.
    public func airQuality(at t: Double, epochSeconds: Double, station: Int = 0) -> AirQualityReading {
        let rain = self.scenario.rain(at: t)
        let hour = LocalTime.hourOfDay(epochSeconds: epochSeconds)
        let rush = exp(-(hour - 8) * (hour - 8) / 2) + exp(-(hour - 18) * (hour - 18) / 2)
        let sun = max(0, sin((hour - 6) / 12 * .pi))
        let noise = Noise.smooth(self.seed, 200 + station, t / 40)
        let traffic = station == 0 ? 1.0 : 0.6
        return AirQualityReading(
            pm25: max(1, (8 + 10 * rush * traffic) * (1 - 0.6 * rain) + 1.5 * noise),
            no2: max(1, 10 + 28 * rush * traffic + 2 * noise),
            o3: max(1, 20 + 55 * sun * (1 - 0.5 * rain) + 3 * noise)
        )
    }
}
