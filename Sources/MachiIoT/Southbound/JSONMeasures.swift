public import MachiCore
import OrderedCollections

/// The JSON payloads of FIWARE's iotagent-json: one object of measures (`{"t": 25, "h": 40}`), or an array of them
/// (several instants); `TimeInstant` carries the device's timestamp.
public enum JSONMeasures {
    /// Decodes a measures payload.
    /// - Throws: `BAD_PAYLOAD` naming what is wrong.
    public static func decode(_ bytes: some Collection<UInt8>) throws(IoTError) -> [MeasureGroup] {
        let json: JSON
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw IoTError(.badPayload, "the JSON payload is not valid JSON: \(error)")
        }
        switch json {
        case .object(let object): return [try group(object)]
        case .array(let elements) where !elements.isEmpty:
            guard elements.count <= UltraLight.maxMeasures else {
                throw IoTError(.badPayload, "the payload has more than \(UltraLight.maxMeasures) measure groups")
            }
            var groups: [MeasureGroup] = []
            for element in elements {
                guard case .object(let object) = element else {
                    throw IoTError(.badPayload, "every element of a JSON measures array must be an object")
                }
                groups.append(try group(object))
            }
            return groups
        default:
            throw IoTError(.badPayload, "a JSON measures payload must be an object or a non-empty array of objects")
        }
    }

    static func group(_ object: JSONObject) throws(IoTError) -> MeasureGroup {
        var timestamp: String?
        var values: [(key: String, value: MeasureValue)] = []
        for (key, value) in object {
            if key == "TimeInstant" {
                guard case .string(let text) = value, DateTimeText.isValid(text) else {
                    throw IoTError(.badPayload, "TimeInstant must be an ISO 8601 date-time")
                }
                timestamp = text
                continue
            }
            guard UltraLight.isValidKey(key) else {
                throw IoTError(.badPayload, "invalid measure key \"\(key.prefix(40))\"")
            }
            values.append((key, .json(value)))
        }
        guard !values.isEmpty else { throw IoTError(.badPayload, "the JSON measures object has no measure") }
        return MeasureGroup(timestamp: timestamp, values: values)
    }

    /// A command as sent to a device: `{"<command>": <value>}`.
    public static func command(name: String, value: JSON) -> [UInt8] {
        JSONWriter.bytes(of: .object([name: value]))
    }

    /// A command result: `{"<command>": <result>}` (one member; a non-string result is kept as JSON text).
    public static func commandResult(
        _ bytes: some Collection<UInt8>
    ) throws(IoTError) -> (command: String, result: String) {
        guard case .object(let object)? = try? JSONParser.parse(bytes), object.count == 1,
            let member = object.elements.first
        else {
            throw IoTError(
                .badPayload,
                "a command result must be a JSON object with one member {\"<command>\": <result>}"
            )
        }
        return (member.key, member.value.stringValue ?? JSONWriter.string(of: member.value))
    }
}
