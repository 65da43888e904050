public import AsyncHTTPClient
import Foundation
public import MachiBroker
public import MachiCore
import NIOCore
import NIOHTTP1
import OrderedCollections

/// Fetches remote @context documents over HTTP(S) with a timeout, a size limit and an optional allow-list.
public struct HTTPContextLoader: ContextDocumentLoader {
    let client: HTTPClient
    let timeout: TimeAmount
    let maxBytes: Int
    /// URL prefixes that may be fetched; empty allows any.
    let allowList: [String]

    public init(
        client: HTTPClient = .shared,
        timeoutSeconds: Double = 5,
        maxBytes: Int = 1 << 20,
        allowList: [String] = []
    ) {
        self.client = client
        self.timeout = .milliseconds(Int64(timeoutSeconds * 1000))
        self.maxBytes = maxBytes
        self.allowList = allowList
    }

    public func load(url: String) async throws(NGSIError) -> JSON {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw NGSIError(.ldContextNotAvailable, "The @context \(url) is not an http(s) URL")
        }
        guard allowList.isEmpty || allowList.contains(where: { url.hasPrefix($0) }) else {
            throw NGSIError(.ldContextNotAvailable, "The @context \(url) is not on this server's fetch allow-list")
        }
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/ld+json, application/json;q=0.9")
            let response = try await client.execute(request, timeout: timeout)
            guard response.status == .ok else {
                throw NGSIError(.ldContextNotAvailable, "Fetching the @context \(url) answered \(response.status.code)")
            }
            let body = try await response.body.collect(upTo: maxBytes)
            return try body.withUnsafeReadableBytes { try JSONParser.parse($0) }
        } catch let error as NGSIError {
            throw error
        } catch is JSONParser.Failure {
            // Retrieved but invalid: 5.5.6 makes that BadRequestData, not LdContextNotAvailable.
            throw NGSIError(.badRequestData, "The @context at \(url) is not valid JSON")
        } catch {
            throw NGSIError(.ldContextNotAvailable, "The @context \(url) could not be fetched")
        }
    }
}
