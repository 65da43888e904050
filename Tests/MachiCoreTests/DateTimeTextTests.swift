import Foundation
import MachiCore
import Testing

/// Timestamps written back exactly as they were read (device timestamps, observedAt).
struct DateTimeTextTests {
    @Test func everyMillisecondSurvivesARoundTrip() throws {
        for millisecond in 0..<1000 {
            let text = "2026-11-22T10:01:00.\(String(format: "%03d", millisecond))Z"
            let date = try #require(DateTimeText.parse(text))
            #expect(DateTimeText.format(date) == text)
        }
    }

    @Test func offsetsAndDatesBefore1970() throws {
        #expect(
            DateTimeText.format(try #require(DateTimeText.parse("2026-11-22T19:00:00.5+09:00")))
                == "2026-11-22T10:00:00.500Z"
        )
        #expect(
            DateTimeText.format(try #require(DateTimeText.parse("1969-12-31T23:59:59.250Z")))
                == "1969-12-31T23:59:59.250Z"
        )
    }
}

/// Device timestamps as the IoT agent stores them: in `format`'s form, kept as they are when already in it.
struct DateTimeTextNormalizedTests {
    @Test(arguments: [
        ("2026-11-22T10:01:00.120Z", "2026-11-22T10:01:00.120Z"),
        ("2026-11-22T10:01:00Z", "2026-11-22T10:01:00.000Z"),
        ("2026-11-22T10:01:00.1Z", "2026-11-22T10:01:00.100Z"),
        ("2026-11-22T10:01:00.123456Z", "2026-11-22T10:01:00.123Z"),
        ("2026-11-22t10:01:00.120z", "2026-11-22T10:01:00.120Z"),
        ("2026-11-22T19:01:00.120+09:00", "2026-11-22T10:01:00.120Z"),
        ("2026-11-22T23:59:60.500Z", "2026-11-23T00:00:00.500Z"),
    ])
    func timestampsAreWrittenAsFormatWritesThem(text: String, expected: String) throws {
        #expect(DateTimeText.normalized(text) == expected)
        #expect(DateTimeText.normalized(text) == DateTimeText.format(try #require(DateTimeText.parse(text))))
    }

    @Test(arguments: ["2026-11-22T10:01:00.120", "2026-11-22 10:01:00.120Z", "2026-02-30T10:01:00.120Z", "yesterday"])
    func nonDatesAreRefused(text: String) {
        #expect(DateTimeText.normalized(text) == nil)
    }
}

/// The calendar arithmetic against Foundation's Gregorian calendar.
struct DateTimeTextCalendarTests {
    @Test func formatAgreesWithFoundationOverFourCenturies() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(secondsFromGMT: 0))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let seconds = Double(Int64.random(in: -6_000_000_000...8_000_000_000, using: &generator))
            let date = Date(timeIntervalSince1970: seconds)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.000Z",
                parts.year!,
                parts.month!,
                parts.day!,
                parts.hour!,
                parts.minute!,
                parts.second!
            )
            #expect(DateTimeText.format(date) == expected)
            #expect(DateTimeText.parse(expected) == date)
        }
    }

    @Test(arguments: ["2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-22T24:00:00Z"])
    func impossibleDatesAreRefused(text: String) {
        #expect(DateTimeText.parse(text) == nil)
    }

    @Test func leapDaysAreDates() {
        #expect(DateTimeText.parse("2024-02-29T12:00:00Z") != nil)
        #expect(DateTimeText.parse("2000-02-29T12:00:00Z") != nil)
        #expect(DateTimeText.parse("1900-02-29T12:00:00Z") == nil)
    }
}
