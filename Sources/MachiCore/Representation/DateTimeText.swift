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
        // A native string's bytes are read in place; any other is copied first.
        if let date = text.utf8.withContiguousStorageIfAvailable(parse(utf8:)) { return date }
        return Array(text.utf8).withUnsafeBufferPointer(parse(utf8:))
    }

    private static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
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
        guard index == bytes.count, day <= daysIn(month: month, year: year) else { return nil }
        let seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `text` as `format` writes the instant it denotes, or `nil` if it is not an ISO 8601 date-time. A text already
    /// in that form (a device's usual timestamp) is returned as it is, without making a new one.
    public static func normalized(_ text: String) -> String? {
        guard let date = parse(text) else { return nil }
        return isFormatted(text) ? text : format(date)
    }

    /// Whether a valid date-time `text` reads exactly as `format` writes it: `yyyy-MM-ddTHH:mm:ss.SSSZ`, with a
    /// second below 60 (a leap second is written as the next minute).
    static func isFormatted(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 24 else { return false }
        var index = utf8.startIndex
        var position = 0
        var secondTens: UInt8 = 0
        while index != utf8.endIndex {
            let byte = utf8[index]
            switch position {
            case 10: guard byte == UInt8(ascii: "T") else { return false }
            case 17: secondTens = byte
            case 19: guard byte == UInt8(ascii: ".") else { return false }
            case 23: guard byte == UInt8(ascii: "Z") else { return false }
            default: break
            }
            utf8.formIndex(after: &index)
            position += 1
        }
        return secondTens < UInt8(ascii: "6")
    }

    /// `date` as `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC.
    public static func format(_ date: Date) -> String {
        // To the nearest millisecond: a parsed ".456" is 455.9999… ms in binary floating point.
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000  // floor, also before 1970
        let ms = Int(millis - seconds * 1000)
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds) - days * 86_400
        let (year, month, day) = civilFromDays(days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func append(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(48 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(year, 4)
        bytes.append(45)
        append(month, 2)
        bytes.append(45)
        append(day, 2)
        bytes.append(84)
        append(secondOfDay / 3_600, 2)
        bytes.append(58)
        append(secondOfDay / 60 % 60, 2)
        bytes.append(58)
        append(secondOfDay % 60, 2)
        bytes.append(46)
        append(ms, 3)
        bytes.append(90)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01 (`civil_from_days`).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
