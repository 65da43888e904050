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

    /// Two attributes whose instances do not overlap in time: the page covers the first one's span, and the other
    /// attribute is present and empty, so the client knows to ask for the next span (6.3.10).
    @Test func anAttributeOutsideThePageIsPresentAndEmpty() async throws {
        try await withMachi { client in
            func instances(_ hour: Int, _ count: Int) -> String {
                (0..<count).map { minute in
                    #"{"type": "Property", "value": \#(minute), "observedAt": "2020-08-01T\#(hour):\#(String(format: "%02d", minute)):00Z"}"#
                }.joined(separator: ",")
            }
            let body =
                #"{"id": "urn:ngsi-ld:Vehicle:u", "type": "Vehicle", "speed": [\#(instances(10, 40))], "fuelLevel": [\#(instances(12, 20))]}"#
            #expect(try await client.post("/ngsi-ld/v1/temporal/entities", body).status == 201)
            let first = try await client.get(
                "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:u?timerel=after&timeAt=2020-08-01T09:00:00Z"
            )
            #expect(first.status == 206)
            #expect(first.json["speed"]?.arrayValue?.count == 30)
            #expect(first.json["fuelLevel"] == [])
            let newest = try await client.get(
                "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:u?timerel=before&timeAt=2020-08-01T13:00:00Z&lastN=25"
            )
            #expect(newest.status == 206)
            #expect(newest.json["fuelLevel"]?.arrayValue?.count == 20)
            #expect(newest.json["speed"]?.arrayValue?.count == 10)
            let older = try await client.get(
                "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:u?timerel=before&timeAt=2020-08-01T11:00:00Z&lastN=10&attrs=speed,fuelLevel"
            )
            #expect(older.json["fuelLevel"] == nil)
        }
    }

    /// A query response covers one time span for all its entities: what another entity has after the cut of the
    /// first is left for the next span (6.3.10).
    @Test func aQueryPageIsOneTimeSpanForAllEntities() async throws {
        try await withMachi { client in
            let long = (0..<40).map { minute in
                #"{"type": "Property", "value": \#(minute), "observedAt": "2020-01-01T01:\#(String(format: "%02d", minute)):00Z"}"#
            }
            let entities = [
                #"{"id": "urn:ngsi-ld:Vehicle:jan", "type": "Vehicle", "speed": [\#(long.joined(separator: ","))]}"#,
                #"{"id": "urn:ngsi-ld:Vehicle:sep", "type": "Vehicle", "speed": [{"type": "Property", "value": 1, "observedAt": "2020-09-01T14:07:00Z"}]}"#,
            ]
            for entity in entities {
                #expect(try await client.post("/ngsi-ld/v1/temporal/entities", entity).status == 201)
            }
            let page = try await client.get(
                "/ngsi-ld/v1/temporal/entities?type=Vehicle&timerel=after&timeAt=2019-01-01T00:00:00Z"
            )
            #expect(page.status == 206)
            #expect(page.header("Content-Range") == "date-time 2019-01-01T00:00:00Z-2020-01-01T01:29:00Z/*")
            let speeds = page.json.arrayValue?.map { $0["speed"]?.arrayValue?.count }
            #expect(speeds == [30, 0])
            let values = try await client.get(
                "/ngsi-ld/v1/temporal/entities?type=Vehicle&timerel=after&timeAt=2019-01-01T00:00:00Z&options=temporalValues"
            )
            #expect(values.json.arrayValue?.last?["speed"] == ["type": "Property", "values": []])
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

    /// A missing or invalid entity id or attribute name in a temporal URL is BadRequestData (5.6.12–5.6.15), and a
    /// refused name leaves the temporal evolution alone.
    @Test(arguments: [
        (HTTPRequest.Method.post, "/ngsi-ld/v1/temporal/entities//attrs"),
        (.delete, "/ngsi-ld/v1/temporal/entities//attrs/speed"),
        (.patch, "/ngsi-ld/v1/temporal/entities//attrs/speed/urn:ngsi-ld:attribute:instance:1"),
        (.delete, "/ngsi-ld/v1/temporal/entities//attrs/speed/urn:ngsi-ld:attribute:instance:1"),
        (.delete, "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1/attrs//urn:ngsi-ld:attribute:instance:1"),
        (.delete, "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1/attrs/%2e%2e"),
        (.delete, "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1/attrs/%252e%252e"),
        (.delete, "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1/attrs/%2e"),
    ])
    func badIdsInTemporalURLsAreBadRequestData(_ method: HTTPRequest.Method, _ path: String) async throws {
        try await withMachi { client in
            _ = try await client.post("/ngsi-ld/v1/temporal/entities", Self.vehicle)
            let body = #"{"speed": {"type": "Property", "value": 1, "observedAt": "2020-08-01T12:00:00Z"}}"#
            let reply = try await client.send(method, path, body: method == .delete ? nil : body)
            #expect(reply.status == 400, "\(method) \(path)")
            #expect(reply.errorType == "BadRequestData")
            #expect(try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1").status == 200)
        }
    }

    /// `POST /temporal/entityOperations/query` takes the aggregation in `temporalQ` or `aggrParams` (5.2.21,
    /// 5.2.44): `aggrMethods` as an array or a comma-separated string asks for aggregated values.
    @Test(arguments: [
        #""temporalQ": {"timerel": "after", "timeAt": "2020-08-01T12:00:00Z", "aggrMethods": ["avg"]}"#,
        #""temporalQ": {"timerel": "after", "timeAt": "2020-08-01T12:00:00Z", "aggrMethods": "avg,max"}"#,
        #""temporalQ": {"timerel": "after", "timeAt": "2020-08-01T12:00:00Z"}, "aggrParams": {"aggrMethods": ["avg"], "aggrPeriodDuration": "PT0S"}"#,
    ])
    func aggregationInTheQueryBody(_ members: String) async throws {
        try await withMachi { client in
            _ = try await client.post("/ngsi-ld/v1/temporal/entities", Self.vehicle)
            let reply = try await client.post(
                "/ngsi-ld/v1/temporal/entityOperations/query",
                #"{"type": "Query", "entities": [{"type": "Vehicle"}], \#(members)}"#
            )
            #expect(reply.status == 200)
            let speed = reply.json.arrayValue?.first?["speed"]
            #expect(speed?["avg"] == [[100, "2020-08-01T12:03:00Z", "2020-08-01T12:07:00Z"]])
            #expect(speed?.arrayValue == nil)
        }
    }

    @Test(arguments: [
        (#""aggrParams": {"aggrMethods": ["bogus"]}"#, "aggrMethods"),
        (#""aggrParams": {"aggrMethods": ["avg"], "aggrPeriodDuration": "bogus"}"#, "aggrPeriodDuration"),
        (
            #""temporalQ": {"timerel": "after", "timeAt": "2020-08-01T12:00:00Z", "aggrMethods": ["avg"], "aggrPeriodDuration": "bogus"}"#,
            "aggrPeriodDuration"
        ),
    ])
    func badAggregationInTheQueryBodyIsBadRequestData(_ members: String, _ named: String) async throws {
        try await withMachi { client in
            _ = try await client.post("/ngsi-ld/v1/temporal/entities", Self.vehicle)
            let reply = try await client.post(
                "/ngsi-ld/v1/temporal/entityOperations/query",
                #"{"type": "Query", "entities": [{"type": "Vehicle"}], \#(members)}"#
            )
            #expect(reply.status == 400)
            #expect(reply.errorType == "BadRequestData")
            #expect(reply.json["detail"]?.stringValue?.contains(named) == true)
        }
    }

    /// `format` decides the representation when `options` names another one (6.3.12).
    @Test func formatTakesPrecedenceOverOptions() async throws {
        try await withMachi { client in
            _ = try await client.post("/ngsi-ld/v1/temporal/entities", Self.vehicle)
            let reply = try await client.get(
                "/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:t1?format=temporalValues&options=aggregatedValues&aggrMethods=sum&attrs=speed"
            )
            #expect(reply.status == 200)
            #expect(reply.json["speed"]?["values"]?.arrayValue?.count == 3)
        }
    }

    /// The scope is part of the temporal evolution (4.18, 5.7.4.4): `scopeQ` selects the entities whose scope valid
    /// in the time window matches, with the instances of the time that scope was valid.
    @Test func scopeQSelectsByTheScopeValidInTheWindow() async throws {
        try await withMachi { client in
            let entities = [
                #"{"id": "urn:ngsi-ld:Vehicle:ab", "type": "Vehicle", "scope": [{"type": "Property", "value": "/A/B", "observedAt": "2026-03-01T10:00:00Z"}], "speed": [{"type": "Property", "value": "abval", "observedAt": "2026-03-01T12:05:00Z"}]}"#,
                #"{"id": "urn:ngsi-ld:Vehicle:bare", "type": "Vehicle", "speed": [{"type": "Property", "value": "bareval", "observedAt": "2026-03-01T12:05:00Z"}]}"#,
                #"{"id": "urn:ngsi-ld:Vehicle:rep", "type": "Vehicle", "scope": [{"type": "Property", "value": "/R", "observedAt": "2026-03-01T10:00:00Z"}, {"type": "Property", "value": "/S", "observedAt": "2026-03-01T12:30:00Z"}], "speed": [{"type": "Property", "value": "repold", "observedAt": "2026-03-01T12:15:00Z"}, {"type": "Property", "value": "repnew", "observedAt": "2026-03-01T12:45:00Z"}]}"#,
                #"{"id": "urn:ngsi-ld:Vehicle:late", "type": "Vehicle", "scope": [{"type": "Property", "value": "/Z", "observedAt": "2026-03-01T14:00:00Z"}], "speed": [{"type": "Property", "value": "lateval", "observedAt": "2026-03-01T12:05:00Z"}]}"#,
            ]
            for entity in entities {
                #expect(try await client.post("/ngsi-ld/v1/temporal/entities", entity).status == 201)
            }
            let window = "timerel=between&timeAt=2026-03-01T12:00:00Z&endTimeAt=2026-03-01T13:00:00Z"
            func query(_ scopeQ: String) async throws -> JSON {
                try await client.get("/ngsi-ld/v1/temporal/entities?type=Vehicle&scopeQ=\(scopeQ)&\(window)").json
            }
            let any = try await query("/%23")
            #expect(
                any.arrayValue?.compactMap { $0["id"]?.stringValue } == [
                    "urn:ngsi-ld:Vehicle:ab", "urn:ngsi-ld:Vehicle:rep",
                ]
            )
            // The scope set before the window is shown with the entity.
            #expect(any.arrayValue?.first?["scope"]?.arrayValue?.first?["value"] == "/A/B")
            let old = try await query("/R")
            #expect(old.arrayValue?.first?["speed"]?.arrayValue?.compactMap { $0["value"]?.stringValue } == ["repold"])
            let new = try await query("/S")
            #expect(new.arrayValue?.first?["speed"]?.arrayValue?.compactMap { $0["value"]?.stringValue } == ["repnew"])
            #expect(try await query("/Z").arrayValue?.isEmpty == true)
        }
    }

    /// A scope change through the core API becomes an instance of `scope`, observed when it was made (4.5.6).
    @Test func aScopeChangeIsRecordedAsAnInstance() async throws {
        try await withMachi { client in
            let entity =
                #"{"id": "urn:ngsi-ld:Vehicle:s", "type": "Vehicle", "scope": "/Old", "speed": {"type": "Property", "value": 1}}"#
            #expect(try await client.post("/ngsi-ld/v1/entities", entity).status == 201)
            let patched = try await client.send(
                .patch,
                "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:s",
                body: #"{"type": "Vehicle", "scope": "/New"}"#
            )
            #expect(patched.status == 204)
            let temporal = try await client.get("/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Vehicle:s?options=sysAttrs")
                .json
            let scopes = temporal["scope"]?.arrayValue ?? []
            #expect(scopes.compactMap { $0["value"]?.stringValue } == ["/Old", "/New"])
            let new = try #require(scopes.last)
            #expect(new["type"] == "Property")
            #expect(new["observedAt"] != nil)
            #expect(new["observedAt"] == new["modifiedAt"])
            #expect(new["datasetId"] == nil && new["deletedAt"] == nil)
        }
    }
}
