import Foundation

/// The storm that drives the demo: rain, then rising rivers, then recession. Repeats every ``cycle`` seconds.
///
/// All times are scenario seconds (wall-clock seconds × the simulator's speed factor), measured from the start of
/// the simulation. The default timeline (speed 1):
///
/// | scenario time | what happens |
/// | --- | --- |
/// | 0–30 s | normal levels, light rain starts |
/// | 30 s–5 min | heavy rain; rivers rise, crossing their warning levels after about 3 min; shelters open |
/// | 5–8 min | peak, rivers stay above the warning level; the Seba shelter loses power |
/// | 8–15 min | rain stops, rivers recede below the warning levels; shelters empty and close |
/// | 15–20 min | normal, then the cycle starts again |
public struct FloodScenario: Sendable, Hashable {
    /// The phase of the flood at some instant.
    public enum Phase: Sendable, Hashable {
        /// Normal levels.
        case quiet
        /// Levels climbing towards the peak.
        case rising
        /// Levels at their maximum.
        case peak
        /// Levels falling back to normal.
        case receding
    }

    /// End of the quiet start, in seconds.
    public var riseStart: Double
    /// When the rise reaches the peak.
    public var peakStart: Double
    /// When the recession starts.
    public var peakEnd: Double
    /// When levels are back to normal.
    public var recessionEnd: Double
    /// Length of one storm cycle; the scenario repeats after it.
    public var cycle: Double
    /// How many seconds the rain runs ahead of the river.
    public var rainLead: Double

    /// Creates a timeline; the defaults are the table above.
    public init(
        riseStart: Double = 30,
        peakStart: Double = 300,
        peakEnd: Double = 480,
        recessionEnd: Double = 900,
        cycle: Double = 1200,
        rainLead: Double = 90
    ) {
        precondition(riseStart < peakStart && peakStart <= peakEnd && peakEnd < recessionEnd && recessionEnd <= cycle)
        self.riseStart = riseStart
        self.peakStart = peakStart
        self.peakEnd = peakEnd
        self.recessionEnd = recessionEnd
        self.cycle = cycle
        self.rainLead = rainLead
    }

    /// The time within the current cycle, in `0..<cycle`.
    public func timeInCycle(_ t: Double) -> Double {
        let r = t.truncatingRemainder(dividingBy: self.cycle)
        return r < 0 ? r + self.cycle : r
    }

    /// The phase at scenario time `t`.
    public func phase(at t: Double) -> Phase {
        let c = self.timeInCycle(t)
        if c < self.riseStart || c >= self.recessionEnd { return .quiet }
        if c < self.peakStart { return .rising }
        if c < self.peakEnd { return .peak }
        return .receding
    }

    /// Flood intensity in `0...1`: 0 normal, 1 at the peak; smooth (cosine) rise and recession.
    public func intensity(at t: Double) -> Double {
        let c = self.timeInCycle(t)
        switch self.phase(at: t) {
        case .quiet: return 0
        case .peak: return 1
        case .rising: return Self.ease((c - self.riseStart) / (self.peakStart - self.riseStart))
        case .receding: return 1 - Self.ease((c - self.peakEnd) / (self.recessionEnd - self.peakEnd))
        }
    }

    /// Rain intensity in `0...1`: the flood curve shifted ``rainLead`` seconds earlier.
    public func rain(at t: Double) -> Double {
        self.intensity(at: t + self.rainLead)
    }

    private static func ease(_ x: Double) -> Double {
        let clamped = max(0, min(1, x))
        return (1 - cos(clamped * .pi)) / 2
    }
}
