import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import MachiHTTP
import NIOCore

/// Boots the whole application (in-memory SQLite store, remote contexts disabled) and hands a client to `body`.
func withMachi(
    _ configure: (inout AppConfiguration) -> Void = { _ in },
    _ body: @Sendable (MachiClient) async throws -> Void
) async throws {
    var configuration = AppConfiguration(
        host: "127.0.0.1",
        port: 0,
        dataDirectory: nil,
        contextFetchEnabled: false,
        authMode: .open
    )
    configure(&configuration)
    let app = try await MachiServer.buildApplication(configuration: configuration, logger: Logger(label: "test"))
    try await app.test(.router) { client in try await body(MachiClient(client: client)) }
}

/// A small NGSI-LD client over Hummingbird's test client.
struct MachiClient: Sendable {
    let client: any TestClientProtocol

    static let link =
        #"<https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json""#

    @discardableResult
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        body: String? = nil,
        contentType: String? = "application/json",
        headers extra: [String: String] = [:]
    ) async throws -> Reply {
        var headers = HTTPFields()
        if body != nil, let contentType { headers[.contentType] = contentType }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await client.executeRequest(
            uri: path,
            method: method,
            headers: headers,
            body: body.map { ByteBuffer(string: $0) }
        )
        return Reply(status: response.status.code, headers: response.headers, body: String(buffer: response.body))
    }

    @discardableResult
    func get(_ path: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.get, path, headers: headers)
    }

    @discardableResult
    func post(
        _ path: String,
        _ body: String,
        contentType: String = "application/json",
        headers: [String: String] = [:]
    )
        async throws -> Reply
    {
        try await send(.post, path, body: body, contentType: contentType, headers: headers)
    }
}

/// A response: status, headers, body text, and the body parsed as JSON.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: String

    var json: JSON { (try? JSONParser.parse(body)) ?? .null }

    /// The NGSI-LD error type's short name (`BadRequestData`), if this is a ProblemDetails.
    var errorType: String? { json["type"]?.stringValue?.components(separatedBy: "/").last }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

/// A WaterObserved entity in Shiojiri, normalized, with the default context.
func waterObserved(_ id: String, height: Double, longitude: Double = 137.9525, latitude: Double = 36.1127) -> String {
    """
    {"id": "\(id)", "type": "WaterObserved",
     "height": {"type": "Property", "value": \(height), "unitCode": "MTR", "observedAt": "2026-11-21T09:00:00Z"},
     "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [\(longitude), \(latitude)]}}}
    """
}
