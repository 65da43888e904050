import MachiDemo
import Testing

struct TrapModelTests {
    @Test func triggersWithTheConfiguredProbability() {
        let model = TrapModel(seed: 42, probability: 0.08)
        let slots = 20_000
        let triggered = (0..<slots).filter { model.trigger(trap: 0, slot: $0) != nil }.count
        let rate = Double(triggered) / Double(slots)
        #expect(abs(rate - 0.08) < 0.01, "rate \(rate)")
    }

    @Test func triggerInstantsLieInsideTheirSlot() {
        let model = TrapModel(seed: 3, probability: 0.5)
        for slot in 0..<200 {
            guard let instant = model.trigger(trap: 2, slot: slot) else { continue }
            #expect(instant >= Double(slot) * 60 && instant < Double(slot + 1) * 60)
        }
    }

    @Test func deterministicForASeed() {
        let a = TrapModel(seed: 9)
        let b = TrapModel(seed: 9)
        let c = TrapModel(seed: 10)
        let draws = { (m: TrapModel) in (0..<500).map { m.trigger(trap: 1, slot: $0) } }
        #expect(draws(a) == draws(b))
        #expect(draws(a) != draws(c))
    }

    @Test func aTrapClosesAtItsFirstTriggerAndReopensAfterTheRanger() throws {
        let model = TrapModel(seed: 5, probability: 0.08, autoReopenAfter: 600)
        let firstSlot = try #require((0..<1000).first { model.trigger(trap: 0, slot: $0) != nil })
        let instant = try #require(model.trigger(trap: 0, slot: firstSlot))
        var state = TrapState(index: 0)
        let early = state.advance(to: instant - 0.001, model: model)
        #expect(!early)
        #expect(state.status == .open)
        let onTime = state.advance(to: instant, model: model)
        #expect(onTime)
        #expect(state.status == .closed)
        #expect(state.lastTriggered == instant)
        // Stays closed (later triggers do not count) until the ranger comes.
        state.advance(to: instant + 599, model: model)
        #expect(state.status == .closed && state.lastTriggered == instant)
        state.advance(to: instant + 600, model: model)
        #expect(state.status == .open)
    }

    @Test func resetReopensAClosedTrap() throws {
        let model = TrapModel(seed: 5, probability: 1)  // triggers in every slot
        var state = TrapState(index: 0)
        state.advance(to: 60, model: model)
        #expect(state.status == .closed)
        let reopened = state.reset()
        #expect(reopened)
        #expect(state.status == .open)
        let again = state.reset()
        #expect(!again)
        // The next trigger closes it again.
        state.advance(to: 180, model: model)
        #expect(state.status == .closed)
        #expect(try #require(state.lastTriggered) >= 60)
    }

    @Test func advancingInSmallStepsEqualsOneBigStep() {
        let model = TrapModel(seed: 77, probability: 0.2, autoReopenAfter: 300)
        var stepped = TrapState(index: 3)
        var changes = 0
        for t in stride(from: 0.0, through: 7200, by: 1) where stepped.advance(to: t, model: model) { changes += 1 }
        var jumped = TrapState(index: 3)
        jumped.advance(to: 7200, model: model)
        #expect(stepped == jumped)
        #expect(changes >= 4, "a trap should fire several times in two hours at p = 0.2")
    }

    @Test func batteryDrainsButNeverEmpties() {
        let model = TrapModel(seed: 1)
        let start = model.batteryLevel(trap: 0, at: 0)
        #expect(start > 0.5 && start <= 1)
        #expect(model.batteryLevel(trap: 0, at: 36_000) < start)
        #expect(model.batteryLevel(trap: 0, at: 1e9) == 0.05)
    }
}
