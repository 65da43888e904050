import Configuration
import Foundation
import HTTPTypes
import Logging
import MachiApp
import MachiCore
import Testing

/// Seeded @contexts (`contexts.seed`): local copies of remote @contexts, for a broker without internet access.
struct ContextSeedTests {
    static let remote = "https://city.example/ld/waste.jsonld"
    static let document = #"{"@context": {"fillingLevel": "https://city.example/ld#fillingLevel"}}"#

    /// A seed directory with `manifest.json` and `files` (name → text); removed by `remove()`.
    struct SeedDirectory {
        let url: URL
        var path: String { url.path }

        init(manifest: String?, files: [String: String] = [:]) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("machi-seed-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            if let manifest {
                try manifest.write(to: url.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
            }
            for (name, text) in files {
                try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        }

        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    static func goodSeed() throws -> SeedDirectory {
        try SeedDirectory(manifest: #"{"\#(remote)": "waste.jsonld"}"#, files: ["waste.jsonld": document])
    }

    @Test func aSeededContextIsListedAsCachedAndUsedWithoutFetching() async throws {
        let seed = try Self.goodSeed()
        defer { seed.remove() }
        let seeded: (inout AppConfiguration) -> Void = { $0.contextSeed = seed.path }
        try await withMachi(seeded) { client in
            let cached = try await client.get("/ngsi-ld/v1/jsonldContexts?kind=Cached").json
            #expect(cached.arrayValue?.contains(.string(Self.remote)) == true)

            let link = #"<\#(Self.remote)>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json""#
            let entity = #"""
                {"id": "urn:ngsi-ld:WasteContainer:1", "type": "WasteContainer",
                 "fillingLevel": {"type": "Property", "value": 0.4}}
                """#
            let created = try await client.post("/ngsi-ld/v1/entities", entity, headers: ["Link": link])
            #expect(created.status == 201, "fetching is disabled: only the seed can have answered")
            let read = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:WasteContainer:1")
            #expect(read.json["https://city.example/ld#fillingLevel"] != nil)
            let compact = try await client.get(
                "/ngsi-ld/v1/entities/urn:ngsi-ld:WasteContainer:1",
                headers: ["Link": link]
            )
            #expect(compact.json["fillingLevel"] != nil)
        }
    }

    @Test func aDeletedOrReloadedSeededContextComesBackFromTheSeed() async throws {
        let seed = try Self.goodSeed()
        defer { seed.remove() }
        let seeded: (inout AppConfiguration) -> Void = { $0.contextSeed = seed.path }
        try await withMachi(seeded) { client in
            let encoded = try #require(Self.remote.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let path = "/ngsi-ld/v1/jsonldContexts/\(encoded)"
            #expect(try await client.send(.delete, "\(path)?reload=true").status == 204)
            #expect(try await client.send(.delete, path).status == 204)
            #expect(try await client.get(path).status == 404)

            let subscription = #"""
                {"type": "Subscription", "entities": [{"type": "WasteContainer"}],
                 "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}}, "@context": "\#(Self.remote)"}
                """#
            let created = try await client.post(
                "/ngsi-ld/v1/subscriptions",
                subscription,
                contentType: "application/ld+json"
            )
            #expect(created.status == 201)
            let details = try await client.get("\(path)?details=true")
            #expect(details.status == 200)
            #expect(details.json["kind"] == "Cached")
        }
    }

    @Test(
        "a bad seed is refused with a clear code",
        arguments: [
            (nil, [:], ContextSeedError.Code.manifestUnreadable),
            ("[1, 2]", [:], .manifestInvalid),
            ("{not json", [:], .manifestInvalid),
            (#"{"ftp://city.example/c.jsonld": "c.jsonld"}"#, ["c.jsonld": document], .manifestInvalid),
            (#"{"https://city.example/c.jsonld": 7}"#, [:], .manifestInvalid),
            (#"{"https://city.example/c.jsonld": "missing.jsonld"}"#, [:], .documentUnreadable),
            (#"{"https://city.example/c.jsonld": "c.jsonld"}"#, ["c.jsonld": "{oops"], .documentInvalid),
            (#"{"https://city.example/c.jsonld": "c.jsonld"}"#, ["c.jsonld": #"{"a": "urn:a"}"#], .documentInvalid),
            (
                #"{"https://city.example/c.jsonld": "c.jsonld"}"#, ["c.jsonld": #"{"@context": {"bad": 5}}"#],
                .documentInvalid
            ),
            (#"{"https://city.example/c.jsonld": "c.jsonld"}"#, ["c.jsonld": #"{"@context": 42}"#], .documentInvalid),
        ] as [(String?, [String: String], ContextSeedError.Code)]
    )
    func aBadSeedIsRefused(manifest: String?, files: [String: String], code: ContextSeedError.Code) async throws {
        let seed = try SeedDirectory(manifest: manifest, files: files)
        defer { seed.remove() }
        let error = await #expect(throws: ContextSeedError.self) { try await ContextSeed.load(directory: seed.path) }
        #expect(error?.code == code)
        #expect(error?.description.contains(seed.path) == true, "the message names the file")
    }

    @Test func theServerDoesNotStartWithABadSeed() async throws {
        let seed = try SeedDirectory(manifest: #"{"https://city.example/c.jsonld": "missing.jsonld"}"#)
        defer { seed.remove() }
        var configuration = AppConfiguration(host: "127.0.0.1", port: 0, dataDirectory: nil, contextFetchEnabled: false)
        configuration.contextSeed = seed.path
        await #expect(throws: ContextSeedError.self) {
            _ = try await MachiServer.buildApplication(configuration: configuration, logger: Logger(label: "test"))
        }
    }

    @Test func theSeedDirectoryIsReadFromTheConfiguration() {
        let reader = ConfigReader(provider: InMemoryProvider(values: ["contexts.seed": "/srv/machi/contexts"]))
        #expect(AppConfiguration(reader: reader).contextSeed == "/srv/machi/contexts")
        #expect(AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: [:]))).contextSeed == nil)
    }
}
