public import MachiCore
import OrderedCollections

/// UltraLight 2.0, the text protocol of FIWARE's iotagent-ul: measures `key|value|key|value`, measure groups
/// separated by `#`, each group optionally led by an ISO 8601 timestamp (`2026-11-22T10:00:00Z|t|25`); commands
/// `<device>@<command>|<params>` and their results in the same shape.
public enum UltraLight {
    /// The most groups and measures one payload may carry.
    public static let maxMeasures = 10_000

    /// Decodes a measures payload.
    /// - Throws: `BAD_PAYLOAD` naming what is wrong; nothing of a bad payload is kept.
    public static func decode(_ payload: String) throws(IoTError) -> [MeasureGroup] {
        try decode(utf8: Array(payload.utf8))
    }

    /// Decodes a measures payload from its UTF-8 bytes (as MQTT delivers it). Works on the bytes: `#`, `|` and
    /// the whitespace trimmed are ASCII, so they never occur inside a multi-byte character.
    /// - Throws: `BAD_PAYLOAD` naming what is wrong; nothing of a bad payload is kept.
    public static func decode(utf8 payload: [UInt8]) throws(IoTError) -> [MeasureGroup] {
        var start = payload.startIndex
        var end = payload.endIndex
        while start < end, isASCIIWhitespace(payload[start]) { start += 1 }
        while end > start, isASCIIWhitespace(payload[end - 1]) { end -= 1 }
        guard start < end else { throw IoTError(.badPayload, "the UltraLight payload is empty") }
        var groups: [MeasureGroup] = []
        var measures = 0
        let groupTexts = payload[start..<end].split(separator: UInt8(ascii: "#"), omittingEmptySubsequences: false)
        for (index, groupText) in groupTexts.enumerated() {
            let fields = groupText.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
            guard !(fields.count == 1 && fields[0].isEmpty) else {
                throw IoTError(.badPayload, "measure group \(index + 1) is empty")
            }
            var timestamp: String?
            var first = 0
            if fields.count % 2 == 1 {
                let text = String(decoding: fields[0], as: UTF8.self)
                guard DateTimeText.isValid(text) else {
                    throw IoTError(
                        .badPayload,
                        "measure group \(index + 1) has an odd number of fields and does not start with a timestamp"
                    )
                }
                timestamp = text
                first = 1
            }
            var values: [(key: String, value: MeasureValue)] = []
            values.reserveCapacity((fields.count - first) / 2)
            for pair in stride(from: first, to: fields.count, by: 2) {
                let key = fields[pair]
                guard isValidKey(utf8: key) else {
                    let shown = String(decoding: key, as: UTF8.self).prefix(40)
                    throw IoTError(.badPayload, "measure group \(index + 1) has an invalid key \"\(shown)\"")
                }
                values.append(
                    (String(decoding: key, as: UTF8.self), .text(String(decoding: fields[pair + 1], as: UTF8.self)))
                )
            }
            measures += values.count
            guard measures <= maxMeasures else {
                throw IoTError(.badPayload, "the payload has more than \(maxMeasures) measures")
            }
            groups.append(MeasureGroup(timestamp: timestamp, values: values))
        }
        return groups
    }

    /// Keys are short names: printable, no spaces, no `@`.
    static func isValidKey(_ key: String) -> Bool {
        isValidKey(utf8: key.utf8)
    }

    /// `isValidKey` on UTF-8 bytes: a byte ≤ 0x20 or 0x7F is always an ASCII control or space in UTF-8.
    static func isValidKey(utf8 key: some Collection<UInt8>) -> Bool {
        !key.isEmpty && key.count <= 256 && !key.contains { $0 <= 0x20 || $0 == UInt8(ascii: "@") || $0 == 0x7F }
    }

    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    /// A command as sent to a device: `<device>@<command>|<params>`; an object parameter becomes `key=value`
    /// pairs (`dev@set|speed=3|mode=eco`), a string is sent as it is, any other value as JSON.
    public static func command(device: String, name: String, value: JSON) -> String {
        let parameters: String
        switch value {
        case .string(let text): parameters = text
        case .object(let object):
            parameters = object.map { key, value in "\(key)=\(value.stringValue ?? JSONWriter.string(of: value))" }
                .joined(separator: "|")
        case .null: parameters = ""
        default: parameters = JSONWriter.string(of: value)
        }
        return "\(device)@\(name)|\(parameters)"
    }

    /// A command result from a device: `<device>@<command>|<result>`.
    /// - Throws: `BAD_PAYLOAD` if it does not have that shape.
    public static func commandResult(
        _ payload: String
    ) throws(IoTError) -> (device: String, command: String, result: String) {
        let text = payload.trimmingASCIIWhitespace()
        guard let at = text.firstIndex(of: "@") else {
            throw IoTError(.badPayload, "a command result must look like <device>@<command>|<result>")
        }
        let device = String(text[..<at])
        let rest = text[text.index(after: at)...]
        let command: String
        let result: String
        if let bar = rest.firstIndex(of: "|") {
            command = String(rest[..<bar])
            result = String(rest[rest.index(after: bar)...])
        } else {
            command = String(rest)
            result = ""
        }
        guard !device.isEmpty, isValidKey(command) else {
            throw IoTError(.badPayload, "a command result must look like <device>@<command>|<result>")
        }
        return (device, command, result)
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
