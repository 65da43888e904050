import Foundation
import Hummingbird
import MachiCore
import NIOCore
import OrderedCollections

/// Builds NGSI-LD responses: JSON bodies written straight from `JSON`, the @context as a `Link` header
/// (`application/json`) or an `@context` member (`application/ld+json`).
enum NGSIResponse {
    /// A JSON response carrying entities or other context information.
    /// - Parameter contextValue: the request's @context (the core context's URL when `nil`).
    static func json(
        _ body: JSON,
        status: HTTPResponse.Status = .ok,
        exchange: NGSIExchange,
        contextValue: JSON?,
        extraHeaders: HTTPFields = [:]
    ) -> Response {
        var headers = extraHeaders
        var body = body
        let context = contextValue ?? .string(NGSIExchange.coreContextURL)
        switch exchange.accept {
        case .jsonLD:
            headers[.contentType] = MediaType.jsonLD.rawValue
            body = withContext(body, context)
        case .geoJSON:
            // 6.3.15: the @context goes into the GeoJSON body unless the client prefers `body=json`.
            headers[.contentType] = MediaType.geoJSON.rawValue
            if exchange.prefersLinkedContext {
                if let link = linkHeader(context) { headers[.link] = link }
            } else {
                body = withContext(body, context)
            }
        default:
            headers[.contentType] = MediaType.json.rawValue
            if let link = linkHeader(context) { headers[.link] = link }
        }
        if let tenant = exchange.tenant { headers[.ngsildTenant] = tenant }
        return Response(
            status: status,
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: body)))
        )
    }

    /// A plain JSON response (no @context handling): batch results, stored contexts.
    static func plain(_ body: JSON, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = MediaType.json.rawValue
        return Response(
            status: status,
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: body)))
        )
    }

    /// An empty response (`204 No Content`, `201 Created` with a Location, …).
    static func empty(
        _ status: HTTPResponse.Status,
        exchange: NGSIExchange? = nil,
        headers extra: HTTPFields = [:]
    ) -> Response {
        var headers = extra
        if let tenant = exchange?.tenant { headers[.ngsildTenant] = tenant }
        return Response(status: status, headers: headers)
    }

    /// A ProblemDetails error response.
    static func problem(_ error: NGSIError) -> Response { problem(error, tenant: nil) }

    /// A ProblemDetails error response that echoes the request's tenant (6.3.14: the tenant an operation applied to
    /// is returned, errors included).
    static func problem(_ error: NGSIError, tenant: String?) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = MediaType.json.rawValue
        if let tenant { headers[.ngsildTenant] = tenant }
        return Response(
            status: HTTPResponse.Status(code: error.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: error.problemDetails)))
        )
    }

    static func withContext(_ body: JSON, _ context: JSON) -> JSON {
        switch body {
        case .object(var object):
            object["@context"] = context
            return .object(object)
        case .array(let elements):
            return .array(elements.map { withContext($0, context) })
        default:
            return body
        }
    }

    /// The `Link` header for a context that is one URL; inline contexts cannot be linked.
    static func linkHeader(_ context: JSON) -> String? {
        let url: String?
        switch context {
        case .string(let single): url = single
        case .array(let list) where list.count == 1: url = list[0].stringValue
        default: url = nil
        }
        guard let url else { return nil }
        return "<\(url)>; rel=\"\(NGSIExchange.jsonLDContextRel)\"; type=\"application/ld+json\""
    }
}
