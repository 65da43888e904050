import Foundation

/// A WGS 84 position, longitude first as in GeoJSON.
public struct GeoPoint: Sendable, Hashable {
    /// Degrees east.
    public var longitude: Double
    /// Degrees north.
    public var latitude: Double

    /// Creates a point from longitude and latitude in degrees.
    public init(longitude: Double, latitude: Double) {
        self.longitude = longitude
        self.latitude = latitude
    }

    /// Mean Earth radius in metres.
    static let earthRadius = 6_371_008.8

    /// Great-circle distance to `other` in metres (haversine).
    public func distance(to other: GeoPoint) -> Double {
        let lat1 = self.latitude * .pi / 180
        let lat2 = other.latitude * .pi / 180
        let dLat = lat2 - lat1
        let dLon = (other.longitude - self.longitude) * .pi / 180
        let a = Self.sin2(dLat / 2) + cos(lat1) * cos(lat2) * Self.sin2(dLon / 2)
        return 2 * Self.earthRadius * asin(min(1, a.squareRoot()))
    }

    /// Initial bearing towards `other`, in degrees clockwise from north, in `0..<360`.
    public func bearing(to other: GeoPoint) -> Double {
        // City scale: a local equirectangular projection is accurate to well under a degree.
        let (east, north) = self.offset(to: other)
        guard east != 0 || north != 0 else { return 0 }
        let degrees = atan2(east, north) * 180 / .pi
        return degrees < 0 ? degrees + 360 : degrees
    }

    /// The point a `fraction` (0...1) of the way to `other` (linear in degrees; fine at city scale).
    public func interpolated(to other: GeoPoint, fraction: Double) -> GeoPoint {
        GeoPoint(
            longitude: self.longitude + (other.longitude - self.longitude) * fraction,
            latitude: self.latitude + (other.latitude - self.latitude) * fraction
        )
    }

    /// East and north offset of `other` from this point in metres (local equirectangular projection).
    func offset(to other: GeoPoint) -> (east: Double, north: Double) {
        let metresPerDegree = Self.earthRadius * .pi / 180
        let cosLat = cos((self.latitude + other.latitude) / 2 * .pi / 180)
        return (
            (other.longitude - self.longitude) * metresPerDegree * cosLat,
            (other.latitude - self.latitude) * metresPerDegree
        )
    }

    /// Distance in metres from this point to the segment `a`–`b` (local projection).
    func distance(toSegmentFrom a: GeoPoint, to b: GeoPoint) -> Double {
        let (bx, by) = a.offset(to: b)
        let (px, py) = a.offset(to: self)
        let lengthSquared = bx * bx + by * by
        let t = lengthSquared == 0 ? 0 : max(0, min(1, (px * bx + py * by) / lengthSquared))
        let dx = px - t * bx
        let dy = py - t * by
        return (dx * dx + dy * dy).squareRoot()
    }
    private static func sin2(_ x: Double) -> Double {
        let s = sin(x)
        return s * s
    }
}
