import MachiDemo
import Testing

struct FloodScenarioTests {
    let model = RiverModel(seed: 2026)

    @Test("every river stays below its warning level in the first 2 minutes", arguments: DemoCity.rivers)
    func quietAtTheStart(station: RiverStation) {
        for t in stride(from: 0.0, through: 120, by: 5) {
            #expect(!self.model.isAboveWarning(station, at: t), "\(station.id) at \(t) s")
        }
        for t in stride(from: 0.0, through: 30 + station.lag, by: 5) {
            #expect(abs(self.model.height(of: station, at: t) - station.normalHeight) < 0.02, "\(station.id) at \(t) s")
        }
    }

    @Test("the flood rises above the warning level between minute 5 and minute 8", arguments: DemoCity.rivers)
    func aboveWarningAtThePeak(station: RiverStation) {
        for t in stride(from: 300.0 + station.lag, through: 480 + station.lag, by: 5) {
            #expect(self.model.isAboveWarning(station, at: t), "\(station.id) at \(t) s")
        }
    }

    @Test(
        "levels recede below the warning level by minute 13 and rise again in the next cycle",
        arguments: DemoCity.rivers
    )
    func recedesThenRepeats(station: RiverStation) {
        for t in stride(from: 780.0 + station.lag, through: 1200, by: 5) {
            #expect(!self.model.isAboveWarning(station, at: t), "\(station.id) at \(t) s")
        }
        #expect(self.model.isAboveWarning(station, at: 1200 + 400 + station.lag))
    }

    @Test func levelsRiseMonotonicallyUntilThePeak() {
        let station = DemoCity.rivers[1]
        var previous = self.model.height(of: station, at: 60 + station.lag)
        for t in stride(from: 80.0, through: 300, by: 20) {
            let height = self.model.height(of: station, at: t + station.lag)
            #expect(height > previous - 0.02, "at \(t) s")  // only noise may lower it
            previous = height
        }
        #expect(previous > station.peakHeight - 0.05)
    }

    @Test func downstreamStationsPeakLater() {
        let upstream = DemoCity.rivers[0]
        let downstream = DemoCity.rivers[2]
        let firstAbove = { (station: RiverStation) -> Double in
            stride(from: 0.0, through: 600, by: 1).first { self.model.isAboveWarning(station, at: $0) } ?? .infinity
        }
        #expect(firstAbove(upstream) < firstAbove(downstream))
    }

    @Test func flowGrowsWithHeight() {
        let station = DemoCity.rivers[1]
        let low = self.model.flow(of: station, height: 1.1)
        let high = self.model.flow(of: station, height: 3.2)
        #expect(low > 5 && low < 40)
        #expect(high > 3 * low)
        #expect(self.model.flow(of: station, height: 0.1) == 0)
    }

    @Test func rainLeadsTheFlood() {
        let scenario = FloodScenario()
        #expect(scenario.rain(at: 120) > scenario.intensity(at: 120))
        #expect(scenario.rain(at: 820) < scenario.intensity(at: 820))
        #expect(scenario.phase(at: 10) == .quiet)
        #expect(scenario.phase(at: 200) == .rising)
        #expect(scenario.phase(at: 400) == .peak)
        #expect(scenario.phase(at: 600) == .receding)
        #expect(scenario.phase(at: 1000) == .quiet)
    }

    @Test func sameSeedSameLevelsOtherSeedOtherNoise() {
        let station = DemoCity.rivers[0]
        let again = RiverModel(seed: 2026)
        let other = RiverModel(seed: 7)
        let times = stride(from: 0.0, to: 600, by: 7).map { $0 }
        #expect(times.map { self.model.height(of: station, at: $0) } == times.map { again.height(of: station, at: $0) })
        #expect(times.map { self.model.height(of: station, at: $0) } != times.map { other.height(of: station, at: $0) })
    }

    @Test func soilSaturatesDuringTheStormAndDriesAfter() {
        let soil = SoilModel(seed: 1)
        let station = DemoCity.soilStations[0]
        #expect(soil.moisture(of: station, at: 1150) < station.dryContent + 0.01)  // before the next storm
        #expect(soil.moisture(of: station, at: 0) < soil.moisture(of: station, at: 120))
        #expect(soil.moisture(of: station, at: 300) > station.saturatedContent - 0.01)
        #expect(soil.moisture(of: station, at: 1000) < station.dryContent + 0.01)
    }

    @Test func sheltersOpenFillAndLosePowerAtThePeak() {
        let model = ShelterModel(seed: 1)
        let seba = DemoCity.shelters[3]
        let centre = DemoCity.shelters[0]
        let quiet = model.reading(of: centre, at: 10)
        #expect(quiet.status == "closed" && quiet.occupancy == 0 && quiet.powerStatus == "on" && quiet.power > 0)
        let peak = model.reading(of: seba, at: 400)
        #expect(peak.status == "open")
        #expect(peak.occupancy > seba.capacity / 2 && peak.occupancy <= seba.capacity)
        #expect(peak.powerStatus == "off" && peak.power == 0)
        #expect(model.reading(of: centre, at: 400).powerStatus == "on")
        #expect(model.reading(of: seba, at: 1100).status == "closed")
        #expect(model.reading(of: seba, at: 1100).powerStatus == "on")
    }

    @Test func rainIncreasesPrecipitationAndHumidity() {
        let weather = WeatherModel(seed: 1)
        let noon = 1_795_000_000.0 - 1_795_000_000.0.truncatingRemainder(dividingBy: 86_400) + 3 * 3600  // 12:00 JST
        let dry = weather.weather(at: 1000, epochSeconds: noon)
        let storm = weather.weather(at: 250, epochSeconds: noon)
        #expect(dry.precipitation == 0)
        #expect(storm.precipitation > 20)
        #expect(storm.relativeHumidity > dry.relativeHumidity)
        #expect((0...1).contains(storm.relativeHumidity))
    }
}
