import MachiCore
import Testing

/// Feeds the parsers random and mutated input with a fixed seed: they must throw `NGSIError`s, never crash,
/// and whatever they accept must evaluate.
struct ParserFuzzTests {
    static let alphabet =
        Array(#"abcxyz019_-.:;|,()[]{}!=<>~"\*#/+ @$%&?'^`é駅🚃"#.unicodeScalars) + ["\u{0}", "\n", "\u{7F}"]
    static let seeds = [
        #"(speed>50|rpm>3000);brandName=="Mercedes""#, "temperature.observedAt>=2017-12-24T12:00:00Z",
        "sensor.rawdata[airquality.particulate]==40", #"color[*]!="red","blue""#, "a==1..5;!b", #"name~="^M.*$""#,
        "sensor{Device:humidity}==40", "(/Madrid/Districts;/CompanyA)|/CompanyB", "(Home;Vehicle),Motorhome",
        "[[[137.94,36.10],[137.97,36.10],[137.97,36.13],[137.94,36.10]]]", "near;maxDistance==1000",
    ]

    @Test func parsersNeverCrashOnRandomInput() {
        var random = QueryFuzzGenerator(seed: 0x5EED_0000_2024)
        let vehicle = QueryEvaluationTests.vehicle
        for round in 0..<6_000 {
            let text =
                round % 2 == 0
                ? Self.randomText(&random) : Self.mutated(Self.seeds.randomElement(using: &random)!, &random)
            do {
                let q = try QueryExpression.parse(text)
                _ = q.expanded { $0 }.matches(vehicle) { _ in vehicle }
            } catch {
                #expect(error.code == .badRequestData || error.code == .tooComplexQuery, "\(text): \(error)")
            }
            do {
                _ = try TypeExpression.parse(text).matches(["Vehicle"])
            } catch {
                #expect(error.code == .badRequestData || error.code == .tooComplexQuery, "\(text): \(error)")
            }
            do {
                _ = try ScopeExpression.parse(text).matches(["/a/b"])
            } catch {
                #expect(error.code == .badRequestData || error.code == .tooComplexQuery, "\(text): \(error)")
            }
            do {
                let geometry = try Geometry.parse(
                    geometry: round % 3 == 0 ? "Polygon" : "LineString",
                    coordinates: text
                )
                _ = GeoRelation.overlaps.holds(
                    target: geometry,
                    reference: .point(Position(longitude: 137.95, latitude: 36.11))
                )
                _ = try Geometry(geoJSON: geometry.geoJSON)
            } catch {
                #expect(error.code == .badRequestData, "\(text): \(error)")
            }
            do {
                _ = try GeoRelation.parse(text, allowsCombinedDistances: true)
            } catch {
                #expect(error.code == .badRequestData, "\(text): \(error)")
            }
        }
    }

    static func randomText(_ random: inout QueryFuzzGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...40, using: &random) { scalars.append(alphabet.randomElement(using: &random)!) }
        return String(scalars)
    }

    static func mutated(_ seed: String, _ random: inout QueryFuzzGenerator) -> String {
        var scalars = Array(seed.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let index = Int.random(in: 0...scalars.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: scalars.insert(alphabet.randomElement(using: &random)!, at: index)
            case 1 where index < scalars.count: scalars.remove(at: index)
            default: if index < scalars.count { scalars[index] = alphabet.randomElement(using: &random)! }
            }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}

/// A small deterministic generator (QueryFuzzGenerator), so that failures reproduce.
struct QueryFuzzGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
