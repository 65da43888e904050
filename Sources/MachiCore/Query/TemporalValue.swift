/// A DateTime, Date or Time (ETSI GS CIM 009 4.6.3) as a comparable instant, so that query comparisons are
/// temporal ("2018-12-04T12:00:00Z" equals "2018-12-04T12:00:00.000Z"), not textual.
///
/// Accepts `YYYY-MM-DDThh:mm:ss[.fraction]Z` (a `,` before the fraction too, and a `±hh:mm` offset instead of
/// `Z`), `YYYY-MM-DD` and `hh:mm:ss[.fraction][Z]`. Fractions keep nanosecond precision.
struct TemporalValue: Hashable, Comparable, Sendable {
    enum Kind: Hashable, Sendable { case dateTime, date, time }

    let kind: Kind
    /// Seconds since 1970-01-01T00:00:00Z (dateTime), days since 1970-01-01 (date), or seconds since midnight (time).
    let whole: Int64
    let nanoseconds: Int32

    static func < (lhs: TemporalValue, rhs: TemporalValue) -> Bool {
        (lhs.whole, lhs.nanoseconds) < (rhs.whole, rhs.nanoseconds)
    }

    /// The two values in one kind, or `nil` if they cannot be compared: a Date becomes the DateTime of its
    /// midnight UTC when compared with a DateTime; a Time never compares with a date.
    static func comparable(_ a: TemporalValue, _ b: TemporalValue) -> (TemporalValue, TemporalValue)? {
        switch (a.kind, b.kind) {
        case _ where a.kind == b.kind: (a, b)
        case (.date, .dateTime): (a.asDateTime, b)
        case (.dateTime, .date): (a, b.asDateTime)
        default: nil
        }
    }

    private var asDateTime: TemporalValue {
        kind == .date ? TemporalValue(kind: .dateTime, whole: whole * 86_400, nanoseconds: 0) : self
    }

    /// Parses `text`, or returns `nil` if it is none of the three forms.
    init?(_ text: String) {
        let count = text.utf8.count
        guard count >= 8, count <= 40, let first = text.utf8.first, first >= 0x30, first <= 0x39 else { return nil }
        let parsed =
            text.utf8.withContiguousStorageIfAvailable { TemporalValue.parse($0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { TemporalValue.parse($0) }
        guard let parsed else { return nil }
        self = parsed
    }

    private init(kind: Kind, whole: Int64, nanoseconds: Int32) {
        self.kind = kind
        self.whole = whole
        self.nanoseconds = nanoseconds
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) -> TemporalValue? {
        func number(_ from: Int, _ length: Int) -> Int? {
            guard from + length <= b.count else { return nil }
            var n = 0
            for i in from..<(from + length) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        if b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") {
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
            else { return nil }
            let days = daysFromCivil(year: year, month: month, day: day)
            if b.count == 10 { return TemporalValue(kind: .date, whole: days, nanoseconds: 0) }
            guard b[10] == UInt8(ascii: "T"), let (seconds, nanos, offset) = parseTime(b, from: 11, zoneRequired: true)
            else { return nil }
            return TemporalValue(kind: .dateTime, whole: days * 86_400 + seconds - offset, nanoseconds: nanos)
        }
        guard let (seconds, nanos, offset) = parseTime(b, from: 0, zoneRequired: false) else { return nil }
        return TemporalValue(kind: .time, whole: seconds - offset, nanoseconds: nanos)
    }

    /// `hh:mm:ss[.f][Z|±hh:mm]` from `from` to the end: seconds of the day, nanoseconds, offset in seconds.
    private static func parseTime(
        _ b: UnsafeBufferPointer<UInt8>,
        from: Int,
        zoneRequired: Bool
    ) -> (Int64, Int32, Int64)? {
        func two(_ i: Int) -> Int? {
            guard i + 2 <= b.count, (0x30...0x39).contains(b[i]), (0x30...0x39).contains(b[i + 1]) else { return nil }
            return Int(b[i] - 0x30) * 10 + Int(b[i + 1] - 0x30)
        }
        guard let hour = two(from), from + 2 < b.count, b[from + 2] == UInt8(ascii: ":"), let minute = two(from + 3),
            from + 5 < b.count, b[from + 5] == UInt8(ascii: ":"), let second = two(from + 6),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = from + 8
        var nanos: Int32 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var digits = 0
            while i < b.count, (0x30...0x39).contains(b[i]) {
                if digits < 9 { nanos = nanos * 10 + Int32(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset: Int64 = 0
        if i == b.count {
            guard !zoneRequired else { return nil }
        } else if b[i] == UInt8(ascii: "Z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let hours = two(i + 1), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let minutes = two(i + 4),
                hours < 24, minutes < 60
            else { return nil }
            offset = Int64(hours * 3_600 + minutes * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        }
        guard i == b.count else { return nil }
        return (Int64(hour * 3_600 + minute * 60 + second), nanos, offset)
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468)
    }
}
