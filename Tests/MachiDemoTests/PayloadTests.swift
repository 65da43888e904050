import MachiCore
import MachiDemo
import Testing

struct PayloadTests {
    @Test(
        "timestamps are ISO 8601 UTC with milliseconds",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"),
            (1_795_341_600_000, "2026-11-22T10:00:00.000Z"),
            (1_795_341_600_123, "2026-11-22T10:00:00.123Z"),
            (951_827_696_789, "2000-02-29T12:34:56.789Z"),
            (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
        ]
    )
    func timestamp(milliseconds: Int64, expected: String) {
        #expect(Timestamp.iso8601(milliseconds: milliseconds) == expected)
    }

    @Test(
        arguments: [
            (2.314, 2, "2.31"), (35.2, 2, "35.20"), (-0.0042, 3, "-0.004"), (-0.0004, 3, "0.000"),
            (12.5, 0, "13"), (0.999, 1, "1.0"), (1234.56789, 4, "1234.5679"),
        ]
    )
    func numbersHaveAFixedResolution(value: Double, decimals: Int, expected: String) {
        #expect(NumberText.format(value, decimals: decimals) == expected)
    }

    @Test func ultraLightMeasuresAndGroups() {
        let one = MeasureGroup([.number("h", 2.314, decimals: 2), .number("f", 35.2, decimals: 1)])
        #expect(UltraLightEncoder.encode(one) == "h|2.31|f|35.2")
        let stamped = [
            MeasureGroup(timestamp: 1_795_341_600_000, [.number("v", 181.24, decimals: 1)]),
            MeasureGroup(timestamp: 1_795_341_600_021, [.number("v", 181.26, decimals: 1)]),
        ]
        #expect(
            UltraLightEncoder.encode(stamped)
                == "2026-11-22T10:00:00.000Z|v|181.2#2026-11-22T10:00:00.021Z|v|181.3"
        )
        let text = MeasureGroup([.text("st", "open|#closed"), Measure("ok", .bool(true))])
        #expect(UltraLightEncoder.encode(text) == "st|open  closed|ok|true")
        let date = MeasureGroup([Measure("lt", .dateTime(epochMilliseconds: 1_795_341_600_500))])
        #expect(UltraLightEncoder.encode(date) == "lt|2026-11-22T10:00:00.500Z")
    }

    @Test func ultraLightCommands() throws {
        #expect(
            UltraLightEncoder.commandResult(device: "trap-01", command: "reset", result: "reopened")
                == "trap-01@reset|reopened"
        )
        let parsed = try #require(UltraLightEncoder.parseCommand("trap-01@reset|now"))
        #expect(parsed.device == "trap-01" && parsed.command == "reset" && parsed.parameters == "now")
        let bare = try #require(UltraLightEncoder.parseCommand("trap-01@reset"))
        #expect(bare.command == "reset" && bare.parameters == "")
        #expect(UltraLightEncoder.parseCommand("reset|1") == nil)
    }

    @Test func jsonMeasures() throws {
        let group = MeasureGroup(
            timestamp: 1_795_341_600_007,
            [
                .number("h", 2.314, decimals: 2), .text("st", "open"),
                Measure("l", .point(GeoPoint(longitude: 137.9536, latitude: 36.115))),
            ]
        )
        let text = String(decoding: JSONMeasureEncoder.encode(group), as: UTF8.self)
        #expect(
            text
                == #"{"h":2.31,"st":"open","l":{"type":"Point","coordinates":[137.9536,36.115]},"TimeInstant":"2026-11-22T10:00:00.007Z"}"#
        )
        let untimed = String(
            decoding: JSONMeasureEncoder.encode(MeasureGroup([.number("o", 12, decimals: 0)])),
            as: UTF8.self
        )
        #expect(untimed == #"{"o":12}"#)
        #expect(
            String(decoding: JSONMeasureEncoder.commandResult(command: "reset", result: "OK"), as: UTF8.self)
                == #"{"reset":"OK"}"#
        )
    }
}
