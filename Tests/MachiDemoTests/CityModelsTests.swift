import MachiCore
import MachiDemo
import Testing

struct CityModelsTests {
    let city = DemoCity(usesMQTT: true)
    let models = CityModels(seed: 2026)

    @Test func everyPeriodicDeviceReportsAllItsAttributes() throws {
        for device in self.city.devices where device.family != .trap && device.family != .bridge {
            let group = try #require(self.models.measures(of: device, at: 100, epochSeconds: 1_795_341_600))
            #expect(group.measures.map(\.objectID) == device.attributes.map(\.objectID), "\(device.id)")
        }
    }

    @Test func theRiverPayloadShowsTheFlood() throws {
        let device = try #require(self.city.devices.first { $0.id == "river-narai-02" })
        let quiet = try #require(self.models.measures(of: device, at: 0, epochSeconds: 0))
        let flood = try #require(self.models.measures(of: device, at: 400, epochSeconds: 0))
        let heightOf = { (group: MeasureGroup) -> Double in
            guard case .number(let value, _) = group.measures[0].value else { return .nan }
            return value
        }
        #expect(heightOf(quiet) < 1.2)
        #expect(heightOf(flood) > DemoCity.rivers[1].warningHeight)
        #expect(UltraLightEncoder.encode(flood).hasPrefix("h|3."))
    }

    @Test func busPayloadIsGeoJSON() throws {
        let device = try #require(self.city.devices.first { $0.family == .bus })
        let group = try #require(self.models.measures(of: device, at: 200, epochSeconds: 0))
        let json = JSONMeasureEncoder.object(of: group)
        #expect(json["l"]?["type"] == "Point")
        let coordinates = try #require(json["l"]?["coordinates"]?.arrayValue)
        #expect(coordinates.count == 2)
        #expect((137.85...138.05).contains(coordinates[0].numberValue ?? 0))
    }

    @Test func trapReportCarriesTheTriggerTime() {
        let device = self.city.devices(of: .trap)[0]
        var state = TrapState(index: 0)
        let always = TrapModel(seed: 1, probability: 1)
        state.advance(to: 90, model: always)
        let group = self.models.trapMeasures(of: device, state: state, at: 90) { 1_795_341_600_000 + Int64($0 * 1000) }
        let payload = UltraLightEncoder.encode(group)
        #expect(payload.hasPrefix("st|closed|bt|0."))
        #expect(payload.contains("|lt|2026-11-22T10:00:"))
        let open = self.models.trapMeasures(of: device, state: TrapState(index: 0), at: 0) { _ in 0 }
        #expect(open.measures.map(\.objectID) == ["st", "bt"])
    }

    @Test func bridgeMeasuresAreTimestampedAtTheConfiguredRate() {
        let models = CityModels(seed: 1, bridgeRate: 2800)
        let devices = self.city.devices(of: .bridge)
        let groups = devices.flatMap {
            models.bridgeMeasures(of: $0, from: 0, to: 1, startEpochMilliseconds: 1_795_341_600_000)
        }
        #expect(abs(groups.count - 2800) <= 48)
        #expect(
            groups.allSatisfy { ($0.timestamp ?? 0) >= 1_795_341_600_000 && ($0.timestamp ?? 0) <= 1_795_341_601_000 }
        )
        let payload = UltraLightEncoder.encode(
            models.bridgeMeasures(of: devices[0], from: 0, to: 0.1, startEpochMilliseconds: 1_795_341_600_000)
        )
        #expect(payload.hasPrefix("2026-11-22T10:00:00.0"))
        #expect(payload.split(separator: "#").count == models.bridge.measureCount(sensor: 0, upTo: 0.1))
    }
}
