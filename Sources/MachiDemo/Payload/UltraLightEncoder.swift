/// UltraLight 2.0 payloads: `h|2.31|f|35.2`, groups joined by `#`, an optional leading timestamp per group
/// (`2026-11-22T10:00:00.000Z|h|2.31`), and command results `<device>@<command>|<result>`.
public enum UltraLightEncoder {
    /// The payload of one or more measure groups.
    public static func encode(_ groups: [MeasureGroup]) -> String {
        var text = ""
        for (index, group) in groups.enumerated() {
            if index > 0 { text += "#" }
            var first = true
            if let timestamp = group.timestamp {
                text += Timestamp.iso8601(milliseconds: timestamp)
                first = false
            }
            for measure in group.measures {
                if !first { text += "|" }
                first = false
                text += Self.sanitize(measure.objectID)
                text += "|"
                text += Self.text(of: measure.value)
            }
        }
        return text
    }

    /// The payload of a single group.
    public static func encode(_ group: MeasureGroup) -> String {
        self.encode([group])
    }

    /// A command result for `/<apikey>/<device>/cmdexe`: `<device>@<command>|<result>`.
    public static func commandResult(device: String, command: String, result: String) -> String {
        "\(device)@\(command)|\(Self.sanitize(result))"
    }

    /// Parses a command `<device>@<command>|<param>…`; `nil` if it is not of that form.
    public static func parseCommand(_ text: String) -> (device: String, command: String, parameters: String)? {
        guard let at = text.firstIndex(of: "@") else { return nil }
        let device = String(text[..<at])
        let rest = text[text.index(after: at)...]
        let bar = rest.firstIndex(of: "|") ?? rest.endIndex
        let command = String(rest[..<bar])
        let parameters = bar < rest.endIndex ? String(rest[rest.index(after: bar)...]) : ""
        guard !device.isEmpty, !command.isEmpty else { return nil }
        return (device, command, parameters)
    }

    static func text(of value: Measure.Value) -> String {
        switch value {
        case .number(let number, let decimals): NumberText.format(number, decimals: decimals)
        case .text(let string): Self.sanitize(string)
        case .bool(let bool): bool ? "true" : "false"
        case .point(let point): "\(point.latitude),\(point.longitude)"
        case .dateTime(let milliseconds): Timestamp.iso8601(milliseconds: milliseconds)
        }
    }

    /// Replaces the characters UltraLight uses as separators (and those forbidden by the IoT agents) with spaces.
    static func sanitize(_ text: String) -> String {
        guard text.contains(where: { Self.forbidden.contains($0) }) else { return text }
        return String(text.map { Self.forbidden.contains($0) ? " " : $0 })
    }

    private static let forbidden: Set<Character> = ["|", "#", "&", "=", ";", "<", ">", "\"", "'", "(", ")"]
}
