/// One value a device reports, keyed by its `object_id`.
public struct Measure: Sendable, Hashable {
    /// A measured value.
    public enum Value: Sendable, Hashable {
        /// A number sent with a fixed number of fraction digits.
        case number(Double, decimals: Int)
        /// A string (UltraLight forbids `|`, `#`, `&`, `=` and `;` in it; they are replaced by spaces).
        case text(String)
        /// A Boolean.
        case bool(Bool)
        /// A GeoJSON Point (JSON payloads only).
        case point(GeoPoint)
        /// An instant, sent as ISO 8601 UTC with milliseconds.
        case dateTime(epochMilliseconds: Int64)
    }

    /// The `object_id`.
    public var objectID: String
    /// The value.
    public var value: Value

    /// Creates a measure.
    public init(_ objectID: String, _ value: Value) {
        self.objectID = objectID
        self.value = value
    }

    /// A number measure.
    public static func number(_ objectID: String, _ value: Double, decimals: Int) -> Measure {
        Measure(objectID, .number(value, decimals: decimals))
    }

    /// A text measure.
    public static func text(_ objectID: String, _ value: String) -> Measure {
        Measure(objectID, .text(value))
    }
}

/// Measures taken at one instant; `timestamp` (epoch milliseconds) is sent when set, otherwise the agent stamps
/// the arrival time.
public struct MeasureGroup: Sendable, Hashable {
    /// When the measures were taken, in milliseconds since 1970, if sent.
    public var timestamp: Int64?
    /// The measures.
    public var measures: [Measure]

    /// Creates a group.
    public init(timestamp: Int64? = nil, _ measures: [Measure]) {
        self.timestamp = timestamp
        self.measures = measures
    }
}
