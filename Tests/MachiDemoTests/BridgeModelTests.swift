import MachiDemo
import Testing

struct BridgeModelTests {
    @Test("the sensors produce the configured total rate", arguments: [2800.0, 480, 100])
    func totalRate(rate: Double) {
        let model = BridgeModel(rate: rate, sensorCount: 48, seed: 1)
        let seconds = 10.0
        let total = (0..<48).map { model.measureCount(sensor: $0, upTo: seconds) }.reduce(0, +)
        #expect(abs(Double(total) - rate * seconds) <= 48, "total \(total)")
    }

    @Test func ticksPartitionTheMeasuresWithoutLossOrDuplicates() {
        let model = BridgeModel(rate: 2800, sensorCount: 48, seed: 1)
        var times: [Double] = []
        var previous = 0.0
        for tick in stride(from: 0.25, through: 5, by: 0.25) {
            times += model.measureTimes(sensor: 7, from: previous, to: tick)
            previous = tick
        }
        #expect(times == model.measureTimes(sensor: 7, from: 0, to: 5))
        #expect(times.count == model.measureCount(sensor: 7, upTo: 5))
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
        #expect(times.allSatisfy { $0 > 0 && $0 <= 5 })
        // Evenly spaced at 2800 / 48 per second.
        let spacing = times[1] - times[0]
        #expect(abs(spacing - 48.0 / 2800) < 1e-9)
    }

    @Test func oneThirdOfTheSensorsPerKind() {
        let model = BridgeModel(seed: 1)
        let kinds = (0..<48).map { model.kind(ofSensor: $0) }
        #expect(kinds.filter { $0 == .strain }.count == 16)
        #expect(kinds.filter { $0 == .vibration }.count == 16)
        #expect(kinds.filter { $0 == .temperature }.count == 16)
    }

    @Test func valuesArePlausibleAndDeterministic() {
        let model = BridgeModel(seed: 4)
        for t in stride(from: 0.0, to: 60, by: 0.37) {
            #expect((100...400).contains(model.value(sensor: 3, at: t)))
            #expect(abs(model.value(sensor: 20, at: t)) < 0.2)
            #expect((0...20).contains(model.value(sensor: 40, at: t)))
        }
        #expect(model.value(sensor: 3, at: 12.5) == BridgeModel(seed: 4).value(sensor: 3, at: 12.5))
    }

    @Test func zeroRateProducesNothing() {
        let model = BridgeModel(rate: 0, seed: 1)
        #expect(model.measureTimes(sensor: 0, from: 0, to: 100).isEmpty)
    }
}
