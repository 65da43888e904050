import MachiCore
import Testing

struct GeoEqualityTests {
    /// A polygon whose first edge is short and whose ring doubles back: equal to itself.
    @Test func irregularPolygonEqualsItself() throws {
        let coordinates =
            "[[[13.2865906,52.5648645],[13.2879639,52.5648645],[13.2797241,52.4988679],[13.477478,52.4712703],"
            + "[13.5049438,52.5373084],[13.2865906,52.5648645]]]"
        let a = try Geometry.parse(geometry: "Polygon", coordinates: coordinates)
        let b = try Geometry.parse(geometry: "Polygon", coordinates: coordinates)
        #expect(a.topologicallyEquals(b))
    }
}
