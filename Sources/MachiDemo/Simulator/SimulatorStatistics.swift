import Synchronization

/// What the simulator has done so far; read it with ``CitySimulator/statistics``.
public struct SimulatorStatistics: Sendable, Hashable {
    /// Measured values (attribute values) delivered with a success answer (HTTP 2xx) or written to the broker.
    public var measuresSent: Int
    /// HTTP requests and MQTT publishes that carried measures successfully.
    public var messagesSent: Int
    /// Measure deliveries that failed (error status, connection error, broker down).
    public var messagesFailed: Int
    /// Commands received from the IoT agent.
    public var commandsReceived: Int
    /// Command results published back.
    public var commandsAnswered: Int
    /// Groups, devices and static entities the server accepted (or already had) during provisioning.
    public var itemsProvisioned: Int
}

/// Lock-free counters behind ``SimulatorStatistics``.
final class StatisticsCounters: Sendable {
    let measuresSent = Atomic<Int>(0)
    let messagesSent = Atomic<Int>(0)
    let messagesFailed = Atomic<Int>(0)
    let commandsReceived = Atomic<Int>(0)
    let commandsAnswered = Atomic<Int>(0)
    let itemsProvisioned = Atomic<Int>(0)

    var snapshot: SimulatorStatistics {
        SimulatorStatistics(
            measuresSent: self.measuresSent.load(ordering: .relaxed),
            messagesSent: self.messagesSent.load(ordering: .relaxed),
            messagesFailed: self.messagesFailed.load(ordering: .relaxed),
            commandsReceived: self.commandsReceived.load(ordering: .relaxed),
            commandsAnswered: self.commandsAnswered.load(ordering: .relaxed),
            itemsProvisioned: self.itemsProvisioned.load(ordering: .relaxed)
        )
    }

    func delivered(measures: Int) {
        self.measuresSent.add(measures, ordering: .relaxed)
        self.messagesSent.add(1, ordering: .relaxed)
    }

    func failed() {
        self.messagesFailed.add(1, ordering: .relaxed)
    }
}
