import Foundation
import Hummingbird
import MachiBroker
import MachiCore
import NIOCore
import OrderedCollections

/// One NGSI-LD request at the edge: its tenant, the negotiated response type, its @context and its body.
struct NGSIExchange: Sendable {
    static let coreContextURL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
    static let jsonLDContextRel = "http://www.w3.org/ns/json-ld#context"

    let request: Request
    let tenant: String?
    let accept: MediaType
    /// The @context URL of the `Link` header, if any.
    let linkContextURL: String?
    let limits: APILimits
    let requestId: String
    /// Who sends the request (`AppRequestContext.principal`).
    let principal: Principal
    /// What the caller reads personal data for (`Machi-Purpose`), matched against consents.
    let purpose: String?
    /// The media type of the body, once read.
    private(set) var bodyType: MediaType?

    init(
        _ request: Request,
        context: AppRequestContext,
        limits: APILimits,
        offered: [MediaType] = [.json, .jsonLD]
    )
        throws(NGSIError)
    {
        self.request = request
        self.limits = limits
        self.requestId = context.id
        self.principal = context.principal
        self.purpose = request.headers[.machiPurpose]
        let tenantHeader = request.headers[.ngsildTenant]
        if let tenantHeader {
            guard Self.isValidTenant(tenantHeader) else {
                throw .badRequestData("Invalid NGSILD-Tenant \"\(tenantHeader)\"")
            }
            tenant = tenantHeader
        } else {
            tenant = nil
        }
        guard let accept = MediaType.negotiate(request.headers[.accept], offered: offered) else {
            throw NGSIError(
                .notAcceptable,
                "None of the media types in Accept is served here; use application/json or application/ld+json"
            )
        }
        self.accept = accept
        linkContextURL = try Self.contextURL(linkHeaders: request.headers[values: .link])
    }

    var brokerContext: BrokerContext {
        BrokerContext(tenant: tenant, requestId: requestId, principal: principal, purpose: purpose)
    }

    /// Whether the client asked for the @context in a `Link` header rather than in a GeoJSON body
    /// (`Prefer: body=json`, ETSI GS CIM 009, 6.3.15).
    var prefersLinkedContext: Bool {
        request.headers[values: .prefer].contains { header in
            header.split(separator: ",").contains { $0.trimmingCharacters(in: " ").lowercased() == "body=json" }
        }
    }

    /// The API version the client prefers (`Prefer: ngsi-ld=1.0`, 4.3.6.8), read as RFC 7240 says: preference
    /// names are case-insensitive, values may be quoted and carry parameters, several preferences may be listed.
    var preferredVersion: String? {
        for header in request.headers[values: .prefer] {
            for preference in header.split(separator: ",") {
                let token = preference.split(separator: ";").first ?? ""
                let parts = token.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "ngsi-ld"
                else { continue }
                let value = parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                    in: CharacterSet(charactersIn: "\"")
                )
                if !value.isEmpty { return value }
            }
        }
        return nil
    }

    /// Reads and parses the JSON body, checking its media type and size. `application/merge-patch+json` is accepted
    /// for every PATCH (6.3.4) and where `allowMergePatch` says so.
    mutating func readBody(allowMergePatch: Bool = false) async throws(NGSIError) -> JSON {
        guard let contentType = request.headers[.contentType] else {
            throw NGSIError(
                .unsupportedMediaType,
                "Content-Type is missing; use application/json or application/ld+json"
            )
        }
        guard let type = MediaType(contentType: contentType),
            type == .json || type == .jsonLD
                || ((allowMergePatch || request.method == .patch) && type == .mergePatch)
        else {
            throw NGSIError(
                .unsupportedMediaType,
                "Content-Type \(contentType) is not supported; use application/json or application/ld+json"
            )
        }
        bodyType = type
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch {
            throw NGSIError(.payloadTooLarge, "The body is larger than \(limits.maxBodyBytes) bytes")
        }
        guard buffer.readableBytes > 0 else { throw .invalidRequest("The request body is empty") }
        do {
            return try buffer.withUnsafeReadableBytes { raw in
                try JSONParser.parse(raw, limits: JSONParser.Limits(maxDepth: limits.maxJSONDepth))
            }
        } catch let failure as JSONParser.Failure {
            throw .invalidRequest("The body is not valid JSON: \(failure)")
        } catch {
            throw .invalidRequest("The body is not valid JSON")
        }
    }

    /// The @context that applies to a body element: its `@context` member for `application/ld+json`
    /// (required), the `Link` header's for `application/json` (where an `@context` member is an error).
    func contextValue(of element: JSON) throws(NGSIError) -> JSON? {
        if bodyType == .jsonLD {
            guard linkContextURL == nil else {
                throw .badRequestData(
                    "A body of type application/ld+json must not come with a JSON-LD context Link header"
                )
            }
            guard let value = element["@context"] else {
                throw .badRequestData("A body of type application/ld+json must have an @context member")
            }
            return value
        }
        if element["@context"] != nil {
            throw .badRequestData("A body of type application/json must not have an @context member; use a Link header")
        }
        return linkContextURL.map(JSON.string)
    }

    /// The @context of a request without a body (GET, DELETE): the `Link` header's.
    var headerContextValue: JSON? { linkContextURL.map(JSON.string) }

    static func isValidTenant(_ tenant: String) -> Bool {
        !tenant.isEmpty && tenant.utf8.count <= 256
            && tenant.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value < 0x7F && !"<>\"'\\{}|^`".unicodeScalars.contains($0)
            }
    }

    /// The URL of the JSON-LD context `Link` header, if there is one.
    static func contextURL(linkHeaders: [String]) throws(NGSIError) -> String? {
        // On every request: ASCII-only work, no Foundation character sets or Unicode case mapping.
        var found: String?
        for header in linkHeaders {
            for link in header.split(separator: ",") {
                let parts = link.split(separator: ";").map(Self.trimmingASCIISpaces)
                guard let target = parts.first, target.utf8.first == UInt8(ascii: "<"),
                    target.utf8.last == UInt8(ascii: ">"), target.utf8.count > 2
                else {
                    throw .badRequestData("Malformed Link header")
                }
                let rel = parts.dropFirst().first { Self.hasASCIIPrefixIgnoringCase($0, "rel=") }.map {
                    Self.trimmingQuotes($0.dropFirst(4))
                }
                guard let rel, rel == jsonLDContextRel[...] else { continue }
                guard found == nil else { throw .badRequestData("More than one JSON-LD context Link header") }
                let url = String(target.dropFirst().dropLast())
                guard NameRules.isURI(url) else { throw .badRequestData("The Link header's @context is not a URL") }
                found = url
            }
        }
        return found
    }

    static func trimmingASCIISpaces(_ text: Substring) -> Substring {
        var text = text
        while let first = text.utf8.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            text = text.dropFirst()
        }
        while let last = text.utf8.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            text = text.dropLast()
        }
        return text
    }

    static func trimmingQuotes(_ text: Substring) -> Substring {
        var text = text
        while text.utf8.first == UInt8(ascii: "\"") { text = text.dropFirst() }
        while text.utf8.last == UInt8(ascii: "\"") { text = text.dropLast() }
        return text
    }

    static func hasASCIIPrefixIgnoringCase(_ text: Substring, _ prefix: String) -> Bool {
        guard text.utf8.count >= prefix.utf8.count else { return false }
        return zip(text.utf8, prefix.utf8).allSatisfy { a, b in (a | 0x20) == (b | 0x20) }
    }
}
