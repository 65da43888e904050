import MachiCore
import OrderedCollections
import Testing

@testable import MachiIoT

/// UltraLight 2.0 as FIWARE devices send it, and what must be refused.
struct UltraLightTests {
    @Test func measuresComeInPayloadOrder() throws {
        let groups = try UltraLight.decode("t|25|h|40")
        #expect(groups == [MeasureGroup(values: [("t", .text("25")), ("h", .text("40"))])])
    }

    @Test func groupsAreSeparatedByHashAndMayLeadWithATimestamp() throws {
        let groups = try UltraLight.decode("2026-11-22T10:00:00Z|h|2.31#h|2.40\n")
        #expect(groups.count == 2)
        #expect(groups[0].timestamp == "2026-11-22T10:00:00Z")
        #expect(groups[0].values.map(\.key) == ["h"])
        #expect(groups[1].timestamp == nil)
        #expect(groups[1].values[0].value == .text("2.40"))
    }

    @Test func anEmptyValueIsKept() throws {
        #expect(try UltraLight.decode("s|")[0].values[0].value == .text(""))
    }

    @Test(arguments: [
        ("", "empty"),
        ("   \n", "empty"),
        ("t|25|h", "odd number"),
        ("t|25##h|3", "group 2 is empty"),
        ("t|25#", "group 2 is empty"),
        ("|25", "invalid key"),
        ("t x|25", "invalid key"),
        ("a@b|1", "invalid key"),
        ("notadate|t|25", "odd number"),
    ])
    func malformedPayloadsAreRefused(payload: String, reason: String) {
        #expect(throws: IoTError(.badPayload, "")) { try UltraLight.decode(payload) }
        do {
            _ = try UltraLight.decode(payload)
        } catch {
            #expect(error.message.contains(reason))
        }
    }

    @Test func bytesFromMQTTDecodeAsTheirTextDoes() throws {
        let payload = "\r\n2026-11-22T10:00:00Z|名前|河川水位 2.3m|h|2.31#t|-4.5\t"
        #expect(try UltraLight.decode(utf8: Array(payload.utf8)) == UltraLight.decode(payload))
        // Bytes that are not UTF-8 become U+FFFD, as when the payload is first read as text.
        let broken: [UInt8] = Array("t|".utf8) + [0xC3] + Array("|h|1#".utf8) + [0xFF] + Array("|2".utf8)
        #expect(try UltraLight.decode(utf8: broken) == UltraLight.decode(String(decoding: broken, as: UTF8.self)))
        #expect(try UltraLight.decode(utf8: broken)[0].values[0].value == .text("\u{FFFD}"))
    }

    @Test func aHugePayloadIsRefusedNotStored() {
        let payload = (0...UltraLight.maxMeasures).map { "m\($0)|1" }.joined(separator: "|")
        #expect(throws: IoTError(.badPayload, "")) { try UltraLight.decode(payload) }
    }

    @Test func commandsAreEncodedAsTheReferenceAgentDoes() {
        #expect(UltraLight.command(device: "trap-7", name: "reset", value: .string("")) == "trap-7@reset|")
        #expect(UltraLight.command(device: "bus", name: "ring", value: .string("twice")) == "bus@ring|twice")
        #expect(
            UltraLight.command(device: "lamp", name: "set", value: ["speed": 3, "mode": "eco"])
                == "lamp@set|speed=3|mode=eco"
        )
        #expect(UltraLight.command(device: "x", name: "n", value: .number(5)) == "x@n|5")
    }

    @Test func commandResultsAreParsed() throws {
        let result = try UltraLight.commandResult("trap-7@reset|reopened at 10:00")
        #expect(result.device == "trap-7")
        #expect(result.command == "reset")
        #expect(result.result == "reopened at 10:00")
        #expect(try UltraLight.commandResult("d@ping").result == "")
        #expect(throws: IoTError(.badPayload, "")) { try UltraLight.commandResult("no command here") }
        #expect(throws: IoTError(.badPayload, "")) { try UltraLight.commandResult("@reset|x") }
    }
}

/// JSON payloads as iotagent-json devices send them.
struct JSONMeasuresTests {
    @Test func anObjectIsOneGroupWithTypedValues() throws {
        let groups = try JSONMeasures.decode(Array(#"{"t": 25.5, "open": true, "label": "A"}"#.utf8))
        #expect(groups.count == 1)
        #expect(groups[0].values.map(\.key) == ["t", "open", "label"])
        #expect(groups[0].values[1].value == .json(.bool(true)))
    }

    @Test func timeInstantIsTheDeviceTimestamp() throws {
        let groups = try JSONMeasures.decode(
            Array(#"[{"h": 1, "TimeInstant": "2026-11-22T09:00:00Z"}, {"h": 2}]"#.utf8)
        )
        #expect(groups.map(\.timestamp) == ["2026-11-22T09:00:00Z", nil])
        #expect(groups[0].values.map(\.key) == ["h"])
    }

    @Test(arguments: [
        "", "not json", "[]", "42", #""text""#, "[1, 2]", "{}", #"{"TimeInstant": "2026-01-01T00:00:00Z"}"#,
        #"{"h": 1, "TimeInstant": "yesterday"}"#, #"{"a b": 1}"#, #"{"h": 1"#,
    ])
    func malformedPayloadsAreRefused(payload: String) {
        #expect(throws: IoTError(.badPayload, "")) { try JSONMeasures.decode(Array(payload.utf8)) }
    }

    @Test func commandsAndResults() throws {
        #expect(
            String(decoding: JSONMeasures.command(name: "reset", value: "now"), as: UTF8.self) == #"{"reset":"now"}"#
        )
        let result = try JSONMeasures.commandResult(Array(#"{"reset": "done"}"#.utf8))
        #expect(result.command == "reset" && result.result == "done")
        #expect(throws: IoTError(.badPayload, "")) { try JSONMeasures.commandResult(Array(#"{"a": 1, "b": 2}"#.utf8)) }
    }
}

/// FIWARE's MQTT topics.
struct DeviceTopicTests {
    @Test func prefixedAndLegacyTopics() {
        let topic = DeviceTopic("/ul/k1/dev/attrs")
        #expect(topic?.format == .ultraLight && topic?.apikey == "k1" && topic?.deviceId == "dev")
        #expect(topic?.kind == .attributes(single: nil))
        #expect(DeviceTopic("/json/k1/dev/attrs/h")?.kind == .attributes(single: "h"))
        #expect(DeviceTopic("/json/k1/dev/attrs/h")?.format == .json)
        #expect(DeviceTopic("/k1/dev/attrs")?.format == nil)
        #expect(DeviceTopic("/k1/dev/attrs")?.apikey == "k1")
        #expect(DeviceTopic("/ul/k1/dev/cmdexe")?.kind == .commandResult)
        #expect(DeviceTopic("/k1/dev/cmdexe")?.kind == .commandResult)
    }

    @Test(arguments: [
        "k1/dev/attrs", "/k1/dev/cmd", "/ul/k1/dev/other", "//dev/attrs", "/ul/k1//attrs", "/a/b/c/d/e/f",
    ])
    func otherTopicsAreIgnored(topic: String) {
        #expect(DeviceTopic(topic) == nil)
    }
}
