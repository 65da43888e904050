/// A path of straight segments with positions addressed by the distance travelled along it.
public struct Polyline: Sendable, Hashable {
    /// The vertices, in travel order.
    public let points: [GeoPoint]
    /// `cumulative[i]` is the distance in metres from `points[0]` to `points[i]`.
    public let cumulative: [Double]

    /// Creates a polyline; `closed` appends the first point so the path returns to its start.
    public init(_ points: [GeoPoint], closed: Bool = false) {
        precondition(!points.isEmpty, "a polyline needs at least one point")
        var vertices = points
        if closed, let first = points.first, points.count > 1 { vertices.append(first) }
        var cumulative = [0.0]
        cumulative.reserveCapacity(vertices.count)
        for index in vertices.indices.dropFirst() {
            cumulative.append(cumulative[index - 1] + vertices[index - 1].distance(to: vertices[index]))
        }
        self.points = vertices
        self.cumulative = cumulative
    }

    /// Total length in metres.
    public var length: Double { self.cumulative[self.cumulative.count - 1] }

    /// The position and the bearing of travel (degrees) `distance` metres from the start, clamped to the path.
    public func position(at distance: Double) -> (point: GeoPoint, bearing: Double) {
        guard self.points.count > 1 else { return (self.points[0], 0) }
        let d = max(0, min(self.length, distance))
        // The last segment whose start is at or before `d`.
        var low = 0
        var high = self.cumulative.count - 2
        while low < high {
            let mid = (low + high + 1) / 2
            if self.cumulative[mid] <= d { low = mid } else { high = mid - 1 }
        }
        let a = self.points[low]
        let b = self.points[low + 1]
        let segment = self.cumulative[low + 1] - self.cumulative[low]
        let fraction = segment > 0 ? (d - self.cumulative[low]) / segment : 0
        return (a.interpolated(to: b, fraction: fraction), a.bearing(to: b))
    }

    /// The smallest distance in metres from `point` to any segment.
    public func distance(from point: GeoPoint) -> Double {
        guard self.points.count > 1 else { return point.distance(to: self.points[0]) }
        var best = Double.infinity
        for index in self.points.indices.dropLast() {
            best = min(best, point.distance(toSegmentFrom: self.points[index], to: self.points[index + 1]))
        }
        return best
    }
}
