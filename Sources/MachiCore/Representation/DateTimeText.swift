public import Foundation
import OrderedCollections

/// ISO 8601 date-times as NGSI-LD uses them (`2026-11-21T09:30:00.000Z`).
public enum DateTimeText {
    /// Whether `text` is an ISO 8601 date-time with a time zone (`Z` or `±hh:mm`), as `observedAt` needs.
    public static func isValid(_ text: String) -> Bool { parse(text) != nil }

    /// Whether `text` is a DateTime as NGSI-LD payloads must write it (4.6.3): ISO 8601 in UTC, ending in `Z`,
    /// "without expressions of the difference between local time and UTC".
    public static func isValidUTC(_ text: String) -> Bool {
        guard let last = text.utf8.last, last == 90 || last == 122 else { return false }
        return parse(text) != nil
    }

    /// The instant `text` denotes, or `nil` if it is not an ISO 8601 date-time.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, bytes.count <= 40 else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for i in range {
                guard bytes[i] >= 48, bytes[i] <= 57 else { return nil }
                value = value * 10 + Int(bytes[i] - 48)
            }
            return value
        }
        guard let year = digits(0..<4), bytes[4] == 45, let month = digits(5..<7), bytes[7] == 45,
            let day = digits(8..<10), bytes[10] == 84 || bytes[10] == 116, let hour = digits(11..<13),
            bytes[13] == 58, let minute = digits(14..<16), bytes[16] == 58, let second = digits(17..<19)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offsetSeconds = 0
        if index < bytes.count, bytes[index] == 90 || bytes[index] == 122 {
            index += 1
        } else if index + 6 == bytes.count, bytes[index] == 43 || bytes[index] == 45,
            let oh = digits(index + 1..<index + 3), bytes[index + 3] == 58, let om = digits(index + 4..<index + 6)
        {
            offsetSeconds = (oh * 3600 + om * 60) * (bytes[index] == 45 ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        components.timeZone = TimeZone(secondsFromGMT: 0)
        guard let date = calendar.date(from: components) else { return nil }
        return date.addingTimeInterval(fraction - Double(offsetSeconds))
    }

    /// `date` as `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC.
    public static func format(_ date: Date) -> String {
        // To the nearest millisecond: a parsed ".456" is 455.9999… ms in binary floating point.
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000  // floor, also before 1970
        let ms = Int(millis - seconds * 1000)
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second],
            from: Date(timeIntervalSince1970: TimeInterval(seconds))
        )
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T\(pad(parts.hour, 2)):"
            + "\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(ms, 3))Z"
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()
}
