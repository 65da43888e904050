import Foundation
import HTTPTypes
import MachiCore
import Testing

/// The temporal API (5.6.11–5.6.16, 5.7.3–5.7.4): history recorded by ordinary entity writes, temporal
/// provision, and the query forms (timerel, lastN, temporalValues, aggregatedValues).
@Suite struct TemporalTests {
    static let vehicle = """
        {"id": "urn:ngsi-ld:Vehicle:t1", "type": "Vehicle",
         "speed": [{"type": "Property", "value": 120, "observedAt": "2020-08-01T12:03:00Z"},
                   {"type": "Property", "value": 80, "observedAt": "2020-08-01T12:05:00Z"},
                   {"type": "Property", "value": 100, "observedAt": "2020-08-01T12:07:00Z"}],
         "fuelLevel": [{"type": "Property", "value": 67, "observedAt": "2020-08-01T12:03:00Z"},
                       {"type": "Property", "value": 53, "observedAt": "2020-08-01T13:05:00Z"},
                       {"type": "Property", "value": 40, "observedAt": "2020-08-01T14:07:00Z"}]}
        """

    @Test func everyEntityChangeIsKeptAsAnInstance() async throws {
        try await withMachi { client in
            _ = try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:WaterObserved:t", height: 1.5))
            for (height, minute) in [(2.0, 10), (2.5, 20), (3.5, 30)] {
                let patched = try await client.send(
                    .patch,
                    "/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:t/attrs",
                    body:
                        #"{"height": {"type": "Property", "value": \#(height), "observedAt": "2026-11-21T09:\#(minute):00Z"}}"#
                )
                #expect(patched.status == 204)
            }
            let all = try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:WaterObserved:t?attrs=height")
            #expect(all.status == 200)
            let heights = all.json["height"]?.arrayValue?.compactMap { $0["value"]?.numberValue }
            #expect(heights == [1.5, 2.0, 2.5, 3.5])
            #expect(all.json["height"]?.arrayValue?.allSatisfy { $0["instanceId"]?.stringValue != nil } == true)

            // An entity with no instance in the time range is not a result.
            _ = try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:WaterObserved:old", height: 1))
            let recent = try await client.get(
                "/ngsi-ld/v1/temporal/entities?type=WaterObserved&attrs=height&timerel=after&timeAt=2026-11-21T09:15:00Z"
            )
            #expect(recent.json.arrayValue?.count == 1)
            #expect(
                recent.json.arrayValue?.first?["height"]?.arrayValue?.compactMap { $0["value"]?.numberValue } == [
                    2.5, 3.5,
                ]
            )

            // q holds when an instance inside the time window satisfies it (5.7.4.4).
            let inWindow = try await client.get(
                "/ngsi-ld/v1/temporal/entities?type=WaterObserved&q=height>3&timerel=after&timeAt=2026-11-21T09:25:00Z"
            )
            #expect(inWindow.json.arrayValue?.compactMap { $0["id"]?.stringValue } == ["urn:ngsi-ld:WaterObserved:t"])
            let outOfWindow = try await client.get(
                "/ngsi-ld/v1/temporal/entities?type=WaterObserved&q=height>3&timerel=before&timeAt=2026-11-21T09:25:00Z"
            )
            #expect(outOfWindow.json.arrayValue?.isEmpty == true)

            let last = try await client.get(
                "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:WaterObserved:t?attrs=height&lastN=1&options=temporalValues"
            )
            #expect(last.json["height"]?["values"] == [[3.5, "2026-11-21T09:30:00Z"]])
        }
    }

    @Test func aTemporalRepresentationIsCreatedAggregatedAndDeleted() async throws {
        try await withMachi { client in
            let created = try await client.post("/ngsi-ld/v1/temporal/entities", Self.vehicle)
            #expect(created.status == 201)
            #expect(created.header("Location") == "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1")
            // Posting again adds instances to the existing representation.
            #expect(try await client.post("/ngsi-ld/v1/temporal/entities", Self.vehicle).status == 204)

            let aggregated = try await client.get(
                "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1?options=aggregatedValues&aggrMethods=avg,max&aggrPeriodDuration=PT1H"
            )
            #expect(aggregated.json["speed"]?["avg"] == [[100, "2020-08-01T12:03:00Z", "2020-08-01T13:03:00Z"]])
            #expect(aggregated.json["fuelLevel"]?["max"]?.arrayValue?.count == 3)

            let between = try await client.get(
                "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1?attrs=speed&timerel=between&timeAt=2020-08-01T12:04:00Z&endTimeAt=2020-08-01T12:06:00Z"
            )
            #expect(between.json["speed"]?.arrayValue?.compactMap { $0["value"]?.numberValue } == [80, 80])
            #expect(between.json["fuelLevel"] == nil)

            #expect(
                try await client.send(.delete, "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1").status == 204
            )
            #expect(try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1").status == 404)
        }
    }

    /// More than 30 instances in a response: 206 with the covered span in `Content-Range` (6.3.10).
    @Test func longHistoriesArePaginated() async throws {
        try await withMachi { client in
            let instances = (0..<40).map { minute in
                #"{"type": "Property", "value": \#(minute), "observedAt": "2020-08-01T12:\#(String(format: "%02d", minute)):00Z"}"#
            }
            let body =
                #"{"id": "urn:ngsi-ld:Vehicle:p", "type": "Vehicle", "speed": [\#(instances.joined(separator: ","))]}"#
            #expect(try await client.post("/ngsi-ld/v1/temporal/entities", body).status == 201)
            let first = try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:p")
            #expect(first.status == 206)
            #expect(first.json["speed"]?.arrayValue?.count == 30)
            #expect(first.header("Content-Range") == "date-time 2020-08-01T12:00:00Z-2020-08-01T12:29:00Z/*")
            let last = try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:p?lastN=35")
            #expect(last.status == 206)
            #expect(last.header("Content-Range") == "date-time 2020-08-01T12:39:00Z-2020-08-01T12:10:00Z/35")
            let few = try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:p?lastN=5")
            #expect(few.status == 200)
            #expect(few.json["speed"]?.arrayValue?.count == 5)
        }
    }

    @Test func oneInstanceCanBeChangedOrDeleted() async throws {
        try await withMachi { client in
            _ = try await client.post("/ngsi-ld/v1/temporal/entities", Self.vehicle)
            let speed = try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1?attrs=speed").json[
                "speed"
            ]
            let first = try #require(speed?.arrayValue?.first?["instanceId"]?.stringValue)
            let path = "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1/attrs/speed/\(first)"
            let patched = try await client.send(
                .patch,
                path,
                body: #"{"speed": {"type": "Property", "value": 125, "observedAt": "2020-08-01T12:03:00Z"}}"#
            )
            #expect(patched.status == 204)
            var values = try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1?attrs=speed")
                .json["speed"]?.arrayValue?.compactMap { $0["value"]?.numberValue }
            #expect(values == [125, 80, 100])
            #expect(try await client.send(.delete, path).status == 204)
            #expect(try await client.send(.delete, path).status == 404)
            values = try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1?attrs=speed")
                .json["speed"]?.arrayValue?.compactMap { $0["value"]?.numberValue }
            #expect(values == [80, 100])
        }
    }

    @Test(arguments: [
        "timerel=after",
        "timerel=during&timeAt=2020-08-01T12:00:00Z",
        "timerel=between&timeAt=2020-08-01T12:00:00Z",
        "lastN=0",
        "lastN=1.5",
        "timeproperty=sometime",
        "options=aggregatedValues",
        "options=aggregatedValues&aggrMethods=median",
        "options=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=1H",
        "pick=speed&attrs=speed",
        "orderBy=speed",
    ])
    func badTemporalParametersAreBadRequestData(_ parameters: String) async throws {
        try await withMachi { client in
            _ = try await client.post("/ngsi-ld/v1/temporal/entities", Self.vehicle)
            let reply = try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1?\(parameters)")
            #expect(reply.status == 400, "\(parameters)")
            #expect(reply.errorType == "BadRequestData")
        }
    }
}
