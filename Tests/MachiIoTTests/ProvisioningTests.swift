import MachiCore
import OrderedCollections
import Testing

@testable import MachiIoT

/// Service groups and devices decoded strictly, as FIWARE's provisioning API defines them.
struct ProvisioningTests {
    @Test func aGroupKeepsWhatItWasProvisionedWith() throws {
        let group = try ServiceGroup(
            [
                "apikey": "k1", "resource": "/iot/d", "entity_type": "WaterObserved", "timestamp": true,
                "attributes": [["object_id": "h", "name": "height", "type": "Number"]],
                "static_attributes": [["name": "city", "type": "Text", "value": "Shiojiri"]],
                "trust": "ignored-but-kept", "autoprovision": "false",
            ],
            service: "city",
            subservice: "/rivers"
        )
        #expect(group.entityType == "WaterObserved")
        #expect(group.attributes.first?.measureKey == "h")
        #expect(group.autoprovision == false)
        #expect(group.json["trust"] == "ignored-but-kept")
        #expect(group.json["subservice"] == "/rivers")
        let reloaded = try ServiceGroup(group.json, service: "city", subservice: "/rivers")
        #expect(reloaded == group)
    }

    @Test(arguments: [
        (#"{"apikey": "k", "resource": "/iot/d", "colour": "red"}"#, "WRONG_SYNTAX"),
        (#"{"resource": "/iot/d"}"#, "WRONG_SYNTAX"),
        (#"{"apikey": 5, "resource": "/iot/d"}"#, "WRONG_SYNTAX"),
        (#"{"apikey": "k", "resource": "/iot/d", "attributes": {}}"#, "WRONG_SYNTAX"),
        (#"{"apikey": "k", "resource": "/iot/d", "attributes": [{"object_id": "t"}]}"#, "WRONG_SYNTAX"),
        (#"{"apikey": "k", "resource": "/iot/d", "attributes": [{"name": "t", "colour": 1}]}"#, "WRONG_SYNTAX"),
        (
            #"{"apikey": "k", "resource": "/iot/d", "static_attributes": [{"name": "t", "type": "Text"}]}"#,
            "WRONG_SYNTAX"
        ),
        (#"{"apikey": "k", "resource": "/iot/d", "timestamp": "maybe"}"#, "WRONG_SYNTAX"),
        (#"{"apikey": "k", "resource": "/iot/d", "lazy": [{"name": "s", "type": "Text"}]}"#, "NOT_IMPLEMENTED"),
        (#"{"apikey": "k", "resource": "/iot/d", "entityNameExp": "id"}"#, "NOT_IMPLEMENTED"),
        (
            #"{"apikey": "k", "resource": "/iot/d", "attributes": [{"name": "t", "expression": "t*2"}]}"#,
            "NOT_IMPLEMENTED"
        ),
        ("[1]", "WRONG_SYNTAX"),
    ])
    func badGroupsAreRefusedWithTheirReason(body: String, name: String) throws {
        let json = try JSONParser.parse(body)
        do {
            _ = try ServiceGroup(json, service: nil, subservice: "/")
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.code.name == name)
        }
    }

    @Test func aDeviceTakesItsTypeFromItsGroupAndGetsTheDefaultEntityId() throws {
        let group = try ServiceGroup(
            ["apikey": "k", "resource": "/iot/d", "entity_type": "Thermometer"],
            service: nil,
            subservice: "/"
        )
        let device = try IoTDevice(["device_id": "t-01"], service: nil, servicePath: "/", group: group)
        #expect(device.entityType == "Thermometer")
        #expect(device.entityName == "urn:ngsi-ld:Thermometer:t-01")
        #expect(throws: IoTError(.wrongSyntax, "")) {
            try IoTDevice(["device_id": "t-02"], service: nil, servicePath: "/", group: nil)
        }
    }

    @Test(arguments: ["a b", "a/b", "a#", "a+b", "", "x?y"])
    func deviceIdsThatBreakTopicsOrPathsAreRefused(id: String) {
        #expect(throws: IoTError(.wrongSyntax, "")) {
            try IoTDevice(["device_id": .string(id), "entity_type": "T"], service: nil, servicePath: "/", group: nil)
        }
    }

    @Test func anUpdateChangesOnlyTheMembersItNames() throws {
        var device = try IoTDevice(
            [
                "device_id": "d", "entity_type": "T", "endpoint": "http://old",
                "static_attributes": [["name": "a", "type": "Text", "value": "x"]],
            ],
            service: nil,
            servicePath: "/",
            group: nil
        )
        try device.update(with: ["endpoint": "http://new"], group: nil)
        #expect(device.endpoint == "http://new")
        #expect(device.staticAttributes.map(\.name) == ["a"])
        #expect(throws: IoTError(.wrongSyntax, "")) { try device.update(with: ["device_id": "other"], group: nil) }
    }
}
