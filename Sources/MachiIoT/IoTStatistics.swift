import Metrics
import Synchronization

/// What the agent has ingested and refused, for logs, tests and `/metrics`.
final class IoTStatistics: Sendable {
    private let accepted = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let measuresCounter = Counter(label: "machi_iot_measures_total")
    private let rejectedCounter = Counter(label: "machi_iot_rejected_payloads_total")

    func accept(measures: Int) {
        accepted.add(measures, ordering: .relaxed)
        measuresCounter.increment(by: measures)
    }

    func reject() {
        rejected.add(1, ordering: .relaxed)
        rejectedCounter.increment()
    }

    var acceptedMeasures: Int { accepted.load(ordering: .relaxed) }
    var rejectedPayloads: Int { rejected.load(ordering: .relaxed) }
}

extension IoTAgent {
    /// Measures written so far (all tenants, all transports).
    public var acceptedMeasures: Int { statistics.acceptedMeasures }
    /// Payloads refused so far (malformed, unknown device, values of the wrong type).
    public var rejectedPayloads: Int { statistics.rejectedPayloads }

    /// Counts a payload refused before it reached the agent (it could not be decoded).
    public func countRejected() { statistics.reject() }
}
