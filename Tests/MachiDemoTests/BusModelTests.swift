import MachiDemo
import Testing

struct BusModelTests {
    @Test("a bus stays on its route", arguments: DemoCity.routes.indices)
    func staysOnRoute(route: Int) {
        let model = BusModel(route: DemoCity.routes[route])
        let path = DemoCity.routes[route].polyline
        for t in stride(from: 0.0, to: model.roundDuration * 1.5, by: 3.7) {
            for offset in [0.0, 0.5] {
                let position = model.position(at: t, offset: offset)
                #expect(path.distance(from: position.location) < 1, "\(t) s, offset \(offset)")
            }
        }
    }

    @Test("a bus halts at every stop of its route once per round", arguments: DemoCity.routes.indices)
    func reachesEveryStop(route: Int) {
        let model = BusModel(route: DemoCity.routes[route], cruiseSpeed: 30, dwell: 20)
        var visited: [String] = []
        for t in stride(from: 0.0, to: model.roundDuration, by: 5) {
            let position = model.position(at: t)
            if let stop = position.stop {
                #expect(position.speed == 0)
                #expect(position.location == stop.location)
                if visited.last != stop.id { visited.append(stop.id) }
            } else {
                #expect(position.speed == 30)
            }
        }
        #expect(visited == DemoCity.routes[route].stops.map(\.id))
    }

    @Test func roundDurationIsDrivingPlusDwelling() {
        let route = DemoCity.routes[0]
        let model = BusModel(route: route, cruiseSpeed: 36, dwell: 30)
        let expected = route.polyline.length / 10 + 30 * Double(route.stops.count)
        #expect(abs(model.roundDuration - expected) < 1e-6)
        #expect(route.polyline.length > 3000 && route.polyline.length < 30_000)
    }

    @Test func bearingPointsAlongTheRoad() {
        let route = DemoCity.routes[0]
        let model = BusModel(route: route)
        // Halfway between the first two stops, heading from the station north-east to the city hall.
        let first = route.waypoints[0].point
        let second = route.waypoints[1].point
        let t = 20 + first.distance(to: second) / 2 / (30 / 3.6)
        let position = model.position(at: t)
        #expect(abs(position.bearing - first.bearing(to: second)) < 0.5)
        #expect(position.bearing > 0 && position.bearing < 90)
    }

    @Test func busesHalfARoundApartAreApart() {
        let model = BusModel(route: DemoCity.routes[1])
        let a = model.position(at: 100, offset: 0)
        let b = model.position(at: 100, offset: 0.5)
        #expect(a.location.distance(to: b.location) > 500)
    }
}
