public import AsyncHTTPClient
import MachiCore
public import MachiIoT
import NIOCore
import NIOHTTP1

/// Pushes UltraLight/JSON commands to a device's HTTP `endpoint` and returns its answer.
public struct HTTPCommandClient: HTTPCommandSender {
    let client: HTTPClient

    public init(client: HTTPClient = .shared) { self.client = client }

    public func send(_ payload: [UInt8], contentType: String, to endpoint: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: payload))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw IoTError(.internalError, "the device answered HTTP \(response.status.code)")
        }
        return Array(body.readableBytesView)
    }
}
