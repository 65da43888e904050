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
        #expect(DateTimeText.format(try #require(DateTimeText.parse("2026-11-22T19:00:00.5+09:00"))) == "2026-11-22T10:00:00.500Z")
        #expect(DateTimeText.format(try #require(DateTimeText.parse("1969-12-31T23:59:59.250Z"))) == "1969-12-31T23:59:59.250Z")
    }
}
