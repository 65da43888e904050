import Foundation
import Hummingbird
import MachiBroker
import MachiCore
import OrderedCollections

/// `/ngsi-ld/v1/jsonldContexts`: serve, list, add and delete @contexts (ETSI GS CIM 009, 5.13).
struct ContextsController {
    let services: NGSIServices
    /// The public base URL of this broker's `/jsonldContexts`, used in the URLs of hosted contexts.
    let baseURL: String

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("jsonldContexts", use: list)
        router.post("jsonldContexts", use: add)
        router.get("jsonldContexts/{contextId}", use: serve)
        router.delete("jsonldContexts/{contextId}", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let details = try RepresentationOptions.flag(parameters, "details")
        var stored = services.contexts.storedContexts()
        if let kind = parameters["kind"] {
            guard let wanted = ResolverKind(rawValue: String(kind).lowercased()) else {
                throw NGSIError.badRequestData("kind must be Hosted, Cached or ImplicitlyCreated")
            }
            stored = stored.filter { $0.kind.rawValue.lowercased() == wanted.rawValue }
        }
        if details { return NGSIResponse.plain(.array(stored.map(info))) }
        return NGSIResponse.plain(.array(stored.map { .string($0.url) }))
    }

    enum ResolverKind: String { case hosted, cached, implicitlycreated }

    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let body = try await exchange.readBody()
        let stored = try services.contexts.host(body, baseURL: baseURL)
        var headers = HTTPFields()
        headers[.location] = "/ngsi-ld/v1/jsonldContexts/\(stored.id)"
        return NGSIResponse.empty(.created, headers: headers)
    }

    @Sendable func serve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try Self.contextId(context)
        let details = try RepresentationOptions.flag(request.uri.queryParameters, "details")
        guard let stored = services.contexts.storedContext(id) else {
            throw NGSIError.notFound("No @context \(id) is stored")
        }
        if details { return NGSIResponse.plain(info(stored)) }
        var headers = HTTPFields()
        headers[.contentType] = MediaType.jsonLD.rawValue
        return NGSIResponse.plain(stored.document, headers: headers)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try Self.contextId(context)
        let reload = try RepresentationOptions.flag(request.uri.queryParameters, "reload")
        if NGSILDCoreContext(url: id) != nil { throw NGSIError.badRequestData("The core @context cannot be deleted") }
        try await services.contexts.delete(id, reload: reload)
        return NGSIResponse.empty(.noContent)
    }

    func info(_ stored: ContextResolver.StoredContext) -> JSON {
        var object: JSONObject = [
            "URL": .string(stored.url), "localId": .string(stored.id), "kind": .string(stored.kind.rawValue),
            "timestamp": .string(DateTimeText.format(stored.createdAt)),
        ]
        if stored.kind == .cached {
            object["lastUsage"] = stored.lastUsage.map { .string(DateTimeText.format($0)) } ?? .null
            object["numberOfHits"] = .number(Double(stored.hits))
        }
        return .object(object)
    }

    static func contextId(_ context: AppRequestContext) throws(NGSIError) -> String {
        guard let raw = context.parameters.get("contextId"), let id = raw.removingPercentEncoding, !id.isEmpty else {
            throw .badRequestData("Invalid @context id")
        }
        return id
    }
}
