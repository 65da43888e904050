public import MachiCore
import OrderedCollections

/// IoT Agent JSON payloads: `{"h":2.31,"f":35.2}`, with `TimeInstant` when the group has a timestamp, and
/// command results `{"<command>":"<result>"}`.
public enum JSONMeasureEncoder {
    /// The JSON object of one measure group.
    public static func object(of group: MeasureGroup) -> JSON {
        var object = JSONObject(minimumCapacity: group.measures.count + 1)
        for measure in group.measures {
            object[measure.objectID] = Self.json(of: measure.value)
        }
        if let timestamp = group.timestamp {
            object["TimeInstant"] = .string(Timestamp.iso8601(milliseconds: timestamp))
        }
        return .object(object)
    }

    /// The payload bytes of one group.
    public static func encode(_ group: MeasureGroup) -> [UInt8] {
        JSONWriter.bytes(of: self.object(of: group))
    }

    /// A command result for `/json/<apikey>/<device>/cmdexe`.
    public static func commandResult(command: String, result: String) -> [UInt8] {
        JSONWriter.bytes(of: [command: .string(result)])
    }

    static func json(of value: Measure.Value) -> JSON {
        switch value {
        case .number(let number, let decimals): .number(NumberText.rounded(number, decimals: decimals))
        case .text(let string): .string(string)
        case .bool(let bool): .bool(bool)
        case .point(let point):
            ["type": "Point", "coordinates": [.number(point.longitude), .number(point.latitude)]]
        case .dateTime(let milliseconds): .string(Timestamp.iso8601(milliseconds: milliseconds))
        }
    }
}
