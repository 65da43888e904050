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
