/// An evacuation shelter (指定避難所), published as a Smart Data Models `PointOfInterest` with category `shelter`.
public struct Shelter: Sendable, Hashable {
    /// Local id, e.g. `shelter-01`.
    public var id: String
    /// Display name.
    public var name: String
    /// Street address in Shiojiri.
    public var streetAddress: String
    /// Where the shelter is.
    public var location: GeoPoint
    /// How many people it holds.
    public var capacity: Int
    /// The share of the capacity that fills up at the flood peak (0...1).
    public var peakFill: Double
    /// Whether this shelter's district loses mains power during the flood peak.
    public var losesPowerAtPeak: Bool

    /// Creates a shelter.
    public init(
        id: String,
        name: String,
        streetAddress: String,
        location: GeoPoint,
        capacity: Int,
        peakFill: Double,
        losesPowerAtPeak: Bool = false
    ) {
        self.id = id
        self.name = name
        self.streetAddress = streetAddress
        self.location = location
        self.capacity = capacity
        self.peakFill = peakFill
        self.losesPowerAtPeak = losesPowerAtPeak
    }
}

/// What a shelter's people counter and smart meter report.
public struct ShelterReading: Sendable, Hashable {
    /// `open` or `closed`.
    public var status: String
    /// People inside.
    public var occupancy: Int
    /// `on` when mains power is available, `off` during a blackout.
    public var powerStatus: String
    /// Power drawn in kW (0 during a blackout).
    public var power: Double
}

/// Shelters open as the rivers rise, fill towards the peak and empty while the water recedes; one district
/// loses power at the peak (the Takamatsu smart-meter use case).
public struct ShelterModel: Sendable, Hashable {
    /// The storm timeline.
    public var scenario: FloodScenario
    /// Seed of the noise.
    public var seed: UInt64
    /// Shelters open when the flood intensity reaches this value while rising.
    public var openingIntensity: Double = 0.3
    /// Shelters close when the intensity falls below this value while receding.
    public var closingIntensity: Double = 0.05

    /// Creates a model.
    public init(scenario: FloodScenario = FloodScenario(), seed: UInt64) {
        self.scenario = scenario
        self.seed = seed
    }

    /// Whether shelters are open at scenario time `t`.
    public func isOpen(at t: Double) -> Bool {
        let intensity = self.scenario.intensity(at: t)
        switch self.scenario.phase(at: t) {
        case .quiet: return false
        case .rising: return intensity >= self.openingIntensity
        case .peak: return true
        case .receding: return intensity >= self.closingIntensity
        }
    }

    /// Whether `shelter` has mains power at `t` (blackout from one minute into the peak until it ends).
    public func hasPower(_ shelter: Shelter, at t: Double) -> Bool {
        guard shelter.losesPowerAtPeak else { return true }
        let c = self.scenario.timeInCycle(t)
        return !(c >= self.scenario.peakStart + 60 && c < self.scenario.peakEnd)
    }

    /// The people counter and smart meter readings of `shelter` at `t`.
    public func reading(of shelter: Shelter, at t: Double) -> ShelterReading {
        let open = self.isOpen(at: t)
        var occupancy = 0
        if open {
            let intensity = self.scenario.intensity(at: t)
            let filling = self.scenario.phase(at: t) == .receding ? intensity.squareRoot() : min(1, intensity * 1.2)
            let jitter = 0.03 * Noise.smooth(self.seed, RiverModel.channel(shelter.id), t / 60)
            let fraction = max(0, min(1, shelter.peakFill * filling + jitter))
            occupancy = Int((Double(shelter.capacity) * fraction).rounded())
        }
        let powered = self.hasPower(shelter, at: t)
        let base = open ? 4.0 : 1.2  // lights, heating and water pumps when open
        let power = powered ? base + 0.015 * Double(occupancy) + 0.1 * Noise.smooth(self.seed, 7, t / 10) : 0
        return ShelterReading(
            status: open ? "open" : "closed",
            occupancy: occupancy,
            powerStatus: powered ? "on" : "off",
            power: max(0, power)
        )
    }
}
