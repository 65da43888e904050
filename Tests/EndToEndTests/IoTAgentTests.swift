import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import Testing

/// The IoT agent's provisioning API and HTTP southbound, as FIWARE provisioning scripts and devices use them.
struct IoTAgentTests {
    static let city = ["Fiware-Service": "shiojiri", "Fiware-ServicePath": "/rivers"]
    static let ngsiCity = ["NGSILD-Tenant": "shiojiri"]
    static let group = """
        {"services": [{"apikey": "river-key", "resource": "/iot/d", "entity_type": "WaterObserved",
          "attributes": [{"object_id": "h", "name": "height", "type": "Number",
                          "metadata": {"unitCode": {"type": "Text", "value": "MTR"}}},
                         {"object_id": "f", "name": "flow", "type": "Number"}]}]}
        """
    static let device = """
        {"devices": [{"device_id": "narai-01", "entity_name": "urn:ngsi-ld:WaterObserved:shiojiri:narai-01",
          "static_attributes": [{"name": "name", "type": "Text", "value": "Narai River, Shiojiri gauge"},
            {"name": "location", "type": "geo:json", "value": {"type": "Point", "coordinates": [137.9525, 36.1127]}}]}]}
        """
    static let entityPath = "/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:shiojiri:narai-01"

    static func provision(_ client: MachiClient) async throws {
        #expect(try await client.post("/iot/services", group, headers: city).status == 201)
        #expect(try await client.post("/iot/devices", device, headers: city).status == 201)
    }

    static func sendUL(
        _ client: MachiClient,
        _ payload: String,
        key: String = "river-key",
        id: String = "narai-01"
    )
        async throws -> Reply
    {
        try await client.post("/iot/d?k=\(key)&i=\(id)", payload, contentType: "text/plain")
    }

    @Test func aProvisionedDeviceIsAnEntityAtOnceWithItsStaticAttributes() async throws {
        try await withMachi { client in
            try await Self.provision(client)
            let entity = try await client.get(Self.entityPath + "?options=keyValues", headers: Self.ngsiCity)
            #expect(entity.status == 200)
            #expect(entity.json["name"] == "Narai River, Shiojiri gauge")
            #expect(entity.json["location"]?["coordinates"] == [137.9525, 36.1127])

            let devices = try await client.get("/iot/devices", headers: Self.city)
            #expect(devices.json["count"] == 1)
            #expect(devices.json["devices"]?.arrayValue?.first?["entity_type"] == "WaterObserved")
            let one = try await client.get("/iot/devices/narai-01", headers: Self.city)
            #expect(one.json["service_path"] == "/rivers")
            let groups = try await client.get("/iot/services", headers: Self.city)
            #expect(groups.json["services"]?.arrayValue?.first?["apikey"] == "river-key")
            #expect(try await client.get("/iot/groups", headers: Self.city).json["count"] == 1)
            // Another service sees none of it.
            #expect(try await client.get("/iot/devices", headers: ["Fiware-Service": "okaya"]).json["count"] == 0)
        }
    }

    @Test func duplicatesAndUnknownFieldsAreRefusedAndChangeNothing() async throws {
        try await withMachi { client in
            try await Self.provision(client)
            let again = try await client.post("/iot/devices", Self.device, headers: Self.city)
            #expect(again.status == 409)
            #expect(again.json["name"] == "DUPLICATE_DEVICE_ID")
            let group = try await client.post("/iot/services", Self.group, headers: ["Fiware-Service": "okaya"])
            #expect(group.status == 409)
            #expect(group.json["name"] == "DUPLICATE_GROUP")
            let unknown = try await client.post(
                "/iot/devices",
                #"{"devices": [{"device_id": "x-1", "entity_type": "T", "colour": "red"}]}"#,
                headers: Self.city
            )
            #expect(unknown.status == 400)
            #expect(unknown.json["name"] == "WRONG_SYNTAX")
            let message = unknown.json["message"]?.stringValue
            #expect(message?.contains("colour") == true)
            // All or nothing: the valid first device of a batch with a bad second one is not provisioned.
            let mixed = try await client.post(
                "/iot/devices",
                #"{"devices": [{"device_id": "ok-1", "entity_type": "T"}, {"device_id": "bad 2", "entity_type": "T"}]}"#,
                headers: Self.city
            )
            #expect(mixed.status == 400)
            #expect(try await client.get("/iot/devices/ok-1", headers: Self.city).status == 404)
            #expect(try await client.post("/iot/devices", "{", headers: Self.city).json["name"] == "WRONG_SYNTAX")
            #expect(try await client.get("/iot/devices", headers: ["Fiware-Service": "no spaces"]).status == 400)
        }
    }

    @Test func measuresUpdateOnlyTheirAttributesAndKeepTheDeviceTimestamp() async throws {
        try await withMachi { client in
            try await Self.provision(client)
            #expect(try await Self.sendUL(client, "2026-11-22T09:00:00+09:00|h|2.31|f|31.5").status == 200)
            for height in ["2.40", "2.52", "2.61"] {
                #expect(try await Self.sendUL(client, "h|\(height)").status == 200)
            }
            let entity = try await client.get(Self.entityPath, headers: Self.ngsiCity).json
            #expect(entity["height"]?["value"] == 2.61)
            #expect(entity["height"]?["unitCode"] == "MTR")
            #expect(entity["flow"]?["observedAt"] == "2026-11-22T00:00:00.000Z")
            #expect(entity["name"]?["value"] == "Narai River, Shiojiri gauge")
            #expect(entity["location"]?["type"] == "GeoProperty")
            // Every measure is an instance in the temporal store, the device's timestamp included.
            let history = try await client.get(
                "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:WaterObserved:shiojiri:narai-01?attrs=height&options=temporalValues",
                headers: Self.ngsiCity
            )
            #expect(history.json["height"]?["values"]?.arrayValue?.count == 4)
        }
    }

    @Test func badPayloadsAreAnsweredAndWriteNothing() async throws {
        try await withMachi { client in
            try await Self.provision(client)
            #expect(try await Self.sendUL(client, "h|2.0").status == 200)
            for payload in ["h|high", "h|3.0|f", "h|3.0#", "2026-13-45T00:00:00Z|h|3"] {
                let reply = try await Self.sendUL(client, payload)
                #expect(reply.status == 400, "\(payload)")
                #expect(reply.json["name"] == "BAD_PAYLOAD", "\(payload)")
            }
            let json = try await client.post("/iot/json?k=river-key&i=narai-01", #"{"h": "deep"}"#)
            #expect(json.status == 400)
            #expect(try await client.get(Self.entityPath, headers: Self.ngsiCity).json["height"]?["value"] == 2.0)
            let unknownKey = try await Self.sendUL(client, "h|1", key: "nobody")
            #expect(unknownKey.status == 404)
            #expect(unknownKey.json["name"] == "DEVICE_GROUP_NOT_FOUND")
            #expect(try await client.post("/iot/d?i=narai-01", "h|1", contentType: "text/plain").status == 400)
        }
    }

    @Test func ultraLightOverGETAndJSONOverPOST() async throws {
        try await withMachi { client in
            try await Self.provision(client)
            #expect(try await client.get("/iot/d?k=river-key&i=narai-01&d=h%7C1.5").status == 200)
            #expect(try await client.get(Self.entityPath, headers: Self.ngsiCity).json["height"]?["value"] == 1.5)
            let reply = try await client.post(
                "/iot/json?k=river-key&i=narai-01",
                #"{"h": 1.7, "f": 20, "TimeInstant": "2026-11-22T01:00:00Z"}"#
            )
            #expect(reply.status == 200)
            let entity = try await client.get(Self.entityPath, headers: Self.ngsiCity).json
            #expect(entity["height"]?["value"] == 1.7)
            #expect(entity["height"]?["observedAt"] == "2026-11-22T01:00:00.000Z")
        }
    }

    @Test func unknownDevicesOfAGroupAreProvisionedOnTheirFirstMeasureUnlessItSaysNo() async throws {
        try await withMachi { client in
            try await Self.provision(client)
            #expect(try await Self.sendUL(client, "h|0.8", id: "tributary-3").status == 200)
            let entity = try await client.get(
                "/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:tributary-3",
                headers: Self.ngsiCity
            )
            #expect(entity.json["height"]?["value"] == 0.8)
            #expect(try await client.get("/iot/devices/tributary-3", headers: Self.city).status == 200)

            let closed =
                #"{"services": [{"apikey": "closed-key", "resource": "/iot/d", "entity_type": "T", "autoprovision": false}]}"#
            #expect(try await client.post("/iot/services", closed, headers: Self.city).status == 201)
            let refused = try await Self.sendUL(client, "t|1", key: "closed-key", id: "stranger")
            #expect(refused.status == 404)
            #expect(refused.json["name"] == "DEVICE_NOT_FOUND")
        }
    }

    @Test func devicesAndGroupsAreUpdatedAndDeleted() async throws {
        try await withMachi { client in
            try await Self.provision(client)
            let update = try await client.send(
                .put,
                "/iot/devices/narai-01",
                body: #"{"static_attributes": [{"name": "operator", "type": "Text", "value": "Shiojiri City"}]}"#,
                headers: Self.city
            )
            #expect(update.status == 204)
            #expect(
                try await client.get(Self.entityPath, headers: Self.ngsiCity).json["operator"]?["value"]
                    == "Shiojiri City"
            )
            #expect(try await client.send(.delete, "/iot/devices/narai-01", headers: Self.city).status == 204)
            #expect(try await client.get("/iot/devices/narai-01", headers: Self.city).status == 404)
            // The entity and its history stay; the device can be provisioned again.
            #expect(try await client.get(Self.entityPath, headers: Self.ngsiCity).status == 200)
            #expect(try await client.post("/iot/devices", Self.device, headers: Self.city).status == 201)
            let batch = try await client.post(
                "/iot/op/delete",
                #"{"devices": [{"deviceId": "narai-01", "apikey": "river-key"}]}"#,
                headers: Self.city
            )
            #expect(batch.status == 204)
            #expect(try await client.get("/iot/devices", headers: Self.city).json["count"] == 0)

            let groupUpdate = try await client.send(
                .put,
                "/iot/services?resource=/iot/d&apikey=river-key",
                body: #"{"entity_type": "RiverGauge"}"#,
                headers: Self.city
            )
            #expect(groupUpdate.status == 204)
            #expect(
                try await client.get("/iot/services", headers: Self.city).json["services"]?.arrayValue?.first?[
                    "entity_type"
                ] == "RiverGauge"
            )
            #expect(
                try await client.send(.delete, "/iot/services?resource=/iot/d&apikey=river-key", headers: Self.city)
                    .status == 204
            )
            #expect(try await client.get("/iot/services", headers: Self.city).json["count"] == 0)
            #expect(
                try await client.send(.delete, "/iot/services?resource=/iot/d&apikey=river-key", headers: Self.city)
                    .status == 404
            )
        }
    }

    @Test func aChangedMappingAppliesFromTheNextMeasure() async throws {
        try await withMachi { client in
            try await Self.provision(client)
            /// Maps `h` to `name` at `path` (the group or the device), sends `h|value` and reads the entity back.
            func remap(_ path: String, to name: String, thenSend value: Double) async throws -> JSON {
                let body = #"{"attributes": [{"object_id": "h", "name": "\#(name)", "type": "Number"}]}"#
                #expect(try await client.send(.put, path, body: body, headers: Self.city).status == 204)
                #expect(try await Self.sendUL(client, "h|\(value)").status == 200)
                return try await client.get(Self.entityPath, headers: Self.ngsiCity).json
            }
            #expect(try await Self.sendUL(client, "h|1.5").status == 200)

            var entity = try await remap("/iot/services?resource=/iot/d&apikey=river-key", to: "level", thenSend: 2.5)
            #expect(entity["level"]?["value"] == 2.5)
            #expect(entity["height"]?["value"] == 1.5)

            entity = try await remap("/iot/devices/narai-01", to: "stage", thenSend: 3.5)
            #expect(entity["stage"]?["value"] == 3.5)
            #expect(entity["level"]?["value"] == 2.5)
        }
    }

    @Test func provisioningSurvivesARestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("machi-iot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let onDisk: (inout AppConfiguration) -> Void = { $0.dataDirectory = directory.path }
        try await withMachi(onDisk) { client in try await Self.provision(client) }
        try await withMachi(onDisk) { client in try await Self.expectProvisioned(client) }
    }

    static func expectProvisioned(_ client: MachiClient) async throws {
        #expect(try await client.get("/iot/devices/narai-01", headers: city).status == 200)
        #expect(try await sendUL(client, "h|4.2").status == 200)
        #expect(try await client.get(entityPath, headers: ngsiCity).json["height"]?["value"] == 4.2)
    }

    @Test func aCommandIsPushedToTheDeviceEndpointAndItsAnswerRecorded() async throws {
        try await NotificationReceiver.run { receiver in
            try await withMachi { client in
                let device = """
                    {"devices": [{"device_id": "siren-1", "entity_type": "Siren", "protocol": "PDI-IoTA-JSON",
                      "endpoint": "\(receiver.url)", "commands": [{"name": "sound", "type": "command"}]}]}
                    """
                #expect(try await client.post("/iot/devices", device).status == 201)
                let entityPath = "/ngsi-ld/v1/entities/urn:ngsi-ld:Siren:siren-1"
                #expect(try await client.get(entityPath).json["sound_status"]?["value"] == "UNKNOWN")
                let patch = try await client.send(
                    .patch,
                    entityPath + "/attrs/sound",
                    body: #"{"type": "Property", "value": "flood-warning"}"#
                )
                #expect(patch.status == 204)
                let received = try await receiver.waitFor(1)
                #expect(received.first?.body == ["sound": "flood-warning"])
                var status: JSON?
                for _ in 0..<100 {
                    status = try await client.get(entityPath).json["sound_status"]?["value"]
                    if status == "OK" { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(status == "OK")
            }
        }
    }
}
