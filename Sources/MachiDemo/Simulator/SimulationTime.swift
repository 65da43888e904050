import Foundation

/// Maps real time since the start of a run to scenario time (× speed) and to wall-clock timestamps.
struct SimulationTime: Sendable {
    let start: ContinuousClock.Instant
    let startEpochMilliseconds: Int64
    let speed: Double

    init(speed: Double, start: ContinuousClock.Instant = .now, now: Date = Date()) {
        self.start = start
        self.startEpochMilliseconds = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        self.speed = speed > 0 ? speed : 1
    }

    /// Real seconds since the start.
    var elapsed: Double {
        let (seconds, attoseconds) = (ContinuousClock.now - self.start).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Scenario seconds for real seconds since the start.
    func scenarioTime(elapsed: Double) -> Double { elapsed * self.speed }

    /// Wall-clock seconds since 1970 for real seconds since the start.
    func epochSeconds(elapsed: Double) -> Double { Double(self.startEpochMilliseconds) / 1000 + elapsed }

    /// Wall-clock milliseconds since 1970 at which scenario time `t` happened.
    func epochMilliseconds(ofScenarioTime t: Double) -> Int64 {
        self.startEpochMilliseconds + Int64((t / self.speed * 1000).rounded(.down))
    }
}
