import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import MachiHTTP
import NIOCore
import Testing

/// The real server on a real socket (port 0), with SQLite files in a temporary directory.
@Suite struct LiveServerTests {
    func configuration(_ directory: URL) -> AppConfiguration {
        AppConfiguration(
            host: "127.0.0.1",
            port: 0,
            dataDirectory: directory.path,
            contextFetchEnabled: false,
            authMode: .open
        )
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("machi-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func acknowledgedWritesSurviveARestartOnTheSameData() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let first = try await MachiServer.buildApplication(
            configuration: configuration(directory),
            logger: Logger(label: "test")
        )
        try await first.test(.live) { client in
            let body = waterObserved("urn:ngsi-ld:WaterObserved:live", height: 2.25)
            let created = try await client.execute(
                uri: "/ngsi-ld/v1/entities",
                method: .post,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: body)
            )
            #expect(created.status == .created)
            let tenant = try await client.execute(
                uri: "/ngsi-ld/v1/entities",
                method: .post,
                headers: [.contentType: "application/json", HTTPField.Name("NGSILD-Tenant")!: "okaya"],
                body: ByteBuffer(string: body)
            )
            #expect(tenant.status == .created)
        }

        let second = try await MachiServer.buildApplication(
            configuration: configuration(directory),
            logger: Logger(label: "test")
        )
        try await second.test(.live) { client in
            let read = try await client.execute(
                uri: "/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:live",
                method: .get
            )
            #expect(read.status == .ok)
            let json = try JSONParser.parse(Array(read.body.readableBytesView))
            #expect(json["height"]?["value"] == 2.25)
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            let inTenant = try await client.execute(
                uri: "/ngsi-ld/v1/entities?type=WaterObserved",
                method: .get,
                headers: [HTTPField.Name("NGSILD-Tenant")!: "okaya"]
            )
            #expect((try JSONParser.parse(Array(inTenant.body.readableBytesView))).arrayValue?.count == 1)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sqlite") && $0 != "identity.sqlite" }
        #expect(files.count == 2, "one database file per tenant (besides identity.sqlite): \(files)")
    }

    @Test func metricsAreServed() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = try await MachiServer.buildApplication(
            configuration: configuration(directory),
            logger: Logger(label: "test")
        )
        try await app.test(.live) { client in
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
        }
    }
}
