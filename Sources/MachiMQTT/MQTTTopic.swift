/// Validation and matching of MQTT topic names and topic filters (MQTT 3.1.1 §4.7).
public enum MQTTTopic {
    /// Why `topic` is not a valid topic name for PUBLISH, or `nil` if it is valid.
    ///
    /// A topic name is 1...65535 UTF-8 bytes, without U+0000 and without the wildcards `+` and `#`.
    public static func topicNameProblem(_ topic: String) -> String? {
        if let problem = commonProblem(topic) { return problem }
        if topic.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }) {
            return "topic name must not contain wildcards '+' or '#'"
        }
        return nil
    }

    /// Why `filter` is not a valid topic filter for SUBSCRIBE/UNSUBSCRIBE, or `nil` if it is valid.
    ///
    /// `+` must occupy a whole level; `#` must occupy the last level.
    public static func topicFilterProblem(_ filter: String) -> String? {
        if let problem = commonProblem(filter) { return problem }
        let levels = filter.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            let hasPlus = level.contains(UInt8(ascii: "+"))
            let hasHash = level.contains(UInt8(ascii: "#"))
            if hasPlus && level.count != 1 {
                return "'+' must occupy an entire topic level"
            }
            if hasHash && (level.count != 1 || index != levels.count - 1) {
                return "'#' must be the last character and occupy an entire topic level"
            }
        }
        return nil
    }

    /// Whether the topic name `topic` matches the topic filter `filter` (§4.7.1, §4.7.2).
    ///
    /// Filters starting with a wildcard do not match topic names starting with `$`.
    public static func matches(filter: String, topic: String) -> Bool {
        let filterLevels = filter.split(separator: "/", omittingEmptySubsequences: false)
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        if topic.hasPrefix("$"), let first = filterLevels.first, first == "+" || first == "#" {
            return false
        }
        var index = 0
        while index < filterLevels.count {
            let level = filterLevels[index]
            if level == "#" { return true }
            guard index < topicLevels.count else { return false }
            if level != "+" && level != topicLevels[index] { return false }
            index += 1
        }
        return index == topicLevels.count
    }

    private static func commonProblem(_ string: String) -> String? {
        if string.utf8.isEmpty { return "must not be empty" }
        if string.utf8.count > Int(UInt16.max) { return "must not be longer than 65535 bytes" }
        if string.utf8.contains(0) { return "must not contain U+0000" }
        return nil
    }
}
