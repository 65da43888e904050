public import MachiCore
import OrderedCollections

/// One value a device sent: text from UltraLight, any JSON value from a JSON payload.
public enum MeasureValue: Sendable, Hashable {
    case text(String)
    case json(JSON)
}

/// The measures a device sent at one instant: `key → value` in payload order, with the device's timestamp if it
/// gave one (an UltraLight leading timestamp, a JSON `TimeInstant`).
public struct MeasureGroup: Sendable, Hashable {
    /// ISO 8601, as the device sent it (validated).
    public var timestamp: String?
    public var values: [(key: String, value: MeasureValue)]

    public init(timestamp: String? = nil, values: [(key: String, value: MeasureValue)]) {
        self.timestamp = timestamp
        self.values = values
    }

    public static func == (lhs: MeasureGroup, rhs: MeasureGroup) -> Bool {
        lhs.timestamp == rhs.timestamp
            && lhs.values.elementsEqual(rhs.values) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timestamp)
        for (key, value) in values {
            hasher.combine(key)
            hasher.combine(value)
        }
    }
}

/// The payload encodings of FIWARE's IoT agents.
public enum PayloadFormat: String, Sendable {
    /// UltraLight 2.0 (`t|25|h|40`).
    case ultraLight = "ul"
    /// JSON (`{"t": 25, "h": 40}`).
    case json
}
