import Foundation
import GRDB
import MachiCore

/// Turns a geo-query into an R*Tree pre-filter on the bounding boxes of GeoProperty values.
///
/// The condition drives the search from `geo_box` (the R*Tree, which holds the entity and the attribute name as
/// auxiliary columns), so a geo-query never scans entities. Boxes are widened a little (the R*Tree stores 32-bit floats, rounded
/// outwards; distances get a 1 % margin), because the exact test runs afterwards in `EntityQuery.matches(_:)`.
enum GeoBounds {
    /// Degrees added around every query box: more than float32 rounding at ±180°.
    static let slack = 1e-4
    /// The smallest Earth radius (polar), so the distance box holds for any spherical model used by the exact test.
    static let earthRadius = 6_356_752.0

    private enum Mode {
        /// The entity's box intersects the query box.
        case overlaps
        /// The entity's box lies inside the query box.
        case within
        /// The entity's box holds the query box.
        case contains
    }

    /// A latitude range and, unless it wraps or reaches a pole, a longitude range.
    struct Box {
        var minLatitude: Double
        var maxLatitude: Double
        var longitude: ClosedRange<Double>?
    }

    static func condition(_ geo: GeoQuery) -> SQLFragment? {
        let queryBox = geo.geometry.boundingBox
        guard queryBox.isIndexable else { return nil }
        let mode: Mode
        let box: Box
        switch geo.relation {
        case .near(let maxDistance, _):
            guard let maxDistance, maxDistance.isFinite, maxDistance >= 0 else { return nil }
            box = nearBox(around: queryBox, distance: maxDistance)
            mode = .overlaps
        case .within:
            box = Box(queryBox)
            mode = .within
        case .contains:
            box = Box(queryBox)
            mode = .contains
        case .intersects, .overlaps, .equals:
            box = Box(queryBox)
            mode = .overlaps
        case .disjoint:
            return nil
        }
        var conditions: [String] = ["name = " + TermTable.termID]
        var arguments: [DatabaseValue] = [geo.geoproperty.databaseValue]
        func add(_ sql: String, _ value: Double) {
            conditions.append(sql)
            arguments.append(value.databaseValue)
        }
        let e = slack
        switch mode {
        case .overlaps:
            add("max_lat >= ?", box.minLatitude - e)
            add("min_lat <= ?", box.maxLatitude + e)
            if let lon = box.longitude {
                add("max_lon >= ?", lon.lowerBound - e)
                add("min_lon <= ?", lon.upperBound + e)
            }
        case .within:
            add("min_lat >= ?", box.minLatitude - e)
            add("max_lat <= ?", box.maxLatitude + e)
            if let lon = box.longitude {
                add("min_lon >= ?", lon.lowerBound - e)
                add("max_lon <= ?", lon.upperBound + e)
            }
        case .contains:
            add("min_lat <= ?", box.minLatitude + e)
            add("max_lat >= ?", box.maxLatitude - e)
            if let lon = box.longitude {
                add("min_lon <= ?", lon.lowerBound + e)
                add("max_lon >= ?", lon.upperBound - e)
            }
        }
        return SQLFragment(
            "rowid IN (SELECT entity_rowid FROM geo_box WHERE "
                + conditions.joined(separator: " AND ") + ")",
            arguments
        )
    }

    /// The box holding every point within `distance` metres of `box` (great-circle distance).
    static func nearBox(around box: BoundingBox, distance: Double) -> Box {
        let degrees = 180 / Double.pi
        let delta = distance * 1.01 / earthRadius  // angular distance, radians
        let minLatitude = box.minLatitude - delta * degrees
        let maxLatitude = box.maxLatitude + delta * degrees
        guard minLatitude > -90, maxLatitude < 90, delta < Double.pi / 2 else {
            return Box(minLatitude: max(minLatitude, -90), maxLatitude: min(maxLatitude, 90), longitude: nil)
        }
        // The widest longitude offset is at the latitude closest to a pole.
        let extremeLatitude = max(abs(minLatitude), abs(maxLatitude)) / degrees
        let ratio = sin(delta) / cos(extremeLatitude)
        guard ratio < 1 else { return Box(minLatitude: minLatitude, maxLatitude: maxLatitude, longitude: nil) }
        let deltaLongitude = asin(ratio) * degrees
        let minLongitude = box.minLongitude - deltaLongitude
        let maxLongitude = box.maxLongitude + deltaLongitude
        guard minLongitude >= -180, maxLongitude <= 180 else {
            return Box(minLatitude: minLatitude, maxLatitude: maxLatitude, longitude: nil)
        }
        return Box(minLatitude: minLatitude, maxLatitude: maxLatitude, longitude: minLongitude...maxLongitude)
    }
}

extension GeoBounds.Box {
    init(_ box: BoundingBox) {
        self.init(
            minLatitude: box.minLatitude,
            maxLatitude: box.maxLatitude,
            longitude: box.minLongitude <= box.maxLongitude ? box.minLongitude...box.maxLongitude : nil
        )
    }
}

extension BoundingBox {
    /// Whether the box is usable with the R*Tree: finite, and not inverted (a geometry without positions has none).
    var isIndexable: Bool {
        [minLongitude, maxLongitude, minLatitude, maxLatitude].allSatisfy(\.isFinite)
            && minLongitude <= maxLongitude && minLatitude <= maxLatitude
    }
}
