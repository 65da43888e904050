/// A wildlife trap with a closing sensor (custom `AnimalTrap` model, see docs/demo.md).
public struct AnimalTrap: Sendable, Hashable {
    /// Local id, e.g. `trap-01`.
    public var id: String
    /// Display name (where it is set).
    public var name: String
    /// Where the trap stands.
    public var location: GeoPoint
    /// The target species, e.g. `Sus scrofa` (wild boar).
    public var targetSpecies: String

    /// Creates a trap.
    public init(id: String, name: String, location: GeoPoint, targetSpecies: String) {
        self.id = id
        self.name = name
        self.location = location
        self.targetSpecies = targetSpecies
    }
}

/// When traps are triggered: time is cut into slots; in each slot a trap is triggered with ``probability``, at a
/// seeded instant inside the slot. A pure function of (seed, trap index, slot).
public struct TrapModel: Sendable, Hashable {
    /// Seed of the trigger draws.
    public var seed: UInt64
    /// Slot length in scenario seconds.
    public var slotLength: Double
    /// Chance that a trap is triggered in one slot.
    public var probability: Double
    /// A closed trap is reopened by a ranger after this long unless a `reset` command reopens it earlier.
    public var autoReopenAfter: Double
    /// Battery drain per scenario hour, as a fraction of a full battery.
    public var batteryDrainPerHour: Double

    /// Creates a model; by default a trap fires about once per 12 minutes while open.
    public init(
        seed: UInt64,
        slotLength: Double = 60,
        probability: Double = 0.08,
        autoReopenAfter: Double = 600,
        batteryDrainPerHour: Double = 0.01
    ) {
        self.seed = seed
        self.slotLength = slotLength
        self.probability = probability
        self.autoReopenAfter = autoReopenAfter
        self.batteryDrainPerHour = batteryDrainPerHour
    }

    /// The instant (scenario seconds) at which trap `index` is triggered during `slot`, or `nil`.
    public func trigger(trap index: Int, slot: Int) -> Double? {
        guard Noise.unit(self.seed, 1, index, slot) < self.probability else { return nil }
        return (Double(slot) + Noise.unit(self.seed, 2, index, slot)) * self.slotLength
    }

    /// Battery level (1 full, 0 empty, SDM `Device` convention) of trap `index` at scenario time `t`.
    public func batteryLevel(trap index: Int, at t: Double) -> Double {
        let start = 0.55 + 0.45 * Noise.unit(self.seed, 3, index)
        return max(0.05, start - self.batteryDrainPerHour * t / 3600)
    }
}

/// The state of one trap, advanced through time by ``TrapModel`` triggers and `reset` commands.
public struct TrapState: Sendable, Hashable {
    /// `open` (armed) or `closed` (triggered).
    public enum Status: String, Sendable, Hashable {
        /// Armed.
        case open
        /// Triggered; an animal may be inside.
        case closed
    }

    /// Current status.
    public private(set) var status: Status = .open
    /// Scenario time of the last trigger, if any.
    public private(set) var lastTriggered: Double?
    /// The first slot whose trigger has not been considered yet.
    private var nextSlot = 0
    private let index: Int

    /// A trap with index `index` (its position in the city's trap list), open at scenario time 0.
    public init(index: Int) {
        self.index = index
    }

    /// Applies every trigger and automatic reopening up to scenario time `t`; returns whether the status changed.
    @discardableResult
    public mutating func advance(to t: Double, model: TrapModel) -> Bool {
        let before = self.status
        while Double(self.nextSlot) * model.slotLength <= t {
            let trigger = model.trigger(trap: self.index, slot: self.nextSlot)
            if let trigger, trigger > t { break }  // decided later, when its instant has passed
            if let trigger {
                self.reopenIfDue(before: trigger, model: model)
                if self.status == .open {
                    self.status = .closed
                    self.lastTriggered = trigger
                }
            }
            self.nextSlot += 1
        }
        self.reopenIfDue(before: t, model: model)
        return self.status != before
    }

    /// Reopens the trap (the `reset` command); returns whether it was closed.
    @discardableResult
    public mutating func reset() -> Bool {
        defer { self.status = .open }
        return self.status == .closed
    }

    private mutating func reopenIfDue(before t: Double, model: TrapModel) {
        if self.status == .closed, let last = self.lastTriggered, last + model.autoReopenAfter <= t {
            self.status = .open
        }
    }
}
