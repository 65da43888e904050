import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import MachiBroker
import MachiCore
import OrderedCollections

/// `/ngsi-ld/v1/subscriptions`: create, query, retrieve, update, delete (ETSI GS CIM 009, 5.8 and 6.10–6.11).
struct SubscriptionsController {
    let services: NGSIServices
    let subscriptions: SubscriptionService

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post("subscriptions", use: create)
        router.get("subscriptions", use: list)
        router.get("subscriptions/{subscriptionId}", use: retrieve)
        router.patch("subscriptions/{subscriptionId}", use: update)
        router.delete("subscriptions/{subscriptionId}", use: delete)
        router.patch("subscriptions", use: idMissing)
        router.delete("subscriptions", use: idMissing)
    }

    /// PATCH or DELETE on the collection: the operation needs a subscription id.
    @Sendable func idMissing(_ request: Request, context: AppRequestContext) async throws -> Response {
        var headers = HTTPFields()
        headers[.allow] = "GET, POST"
        return Response(
            status: .methodNotAllowed,
            headers: headers,
            body: NGSIResponse.problem(.badRequestData("The subscription id in the URL is missing")).body
        )
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let body = try await exchange.readBody()
        guard case .object(var object) = body else {
            throw NGSIError.badRequestData("A Subscription must be a JSON object")
        }
        guard !object.isEmpty else { throw NGSIError.badRequestData("The Subscription is empty") }
        let contextValue = try exchange.contextValue(of: body)
        object["@context"] = nil
        let ldContext = try await services.contexts.context(for: contextValue)
        let subscription = try subscriptions.decoder(expand: ldContext.expandTerm).decode(
            object,
            generatedId: "urn:ngsi-ld:Subscription:\(UUID().uuidString.lowercased())",
            context: contextValue ?? .string(NGSIExchange.coreContextURL),
            createdAt: subscriptions.timestamp()
        )
        try await subscriptions.create(subscription, in: exchange.brokerContext)
        var headers = HTTPFields()
        headers[.location] = "/ngsi-ld/v1/subscriptions/\(subscription.id)"
        return NGSIResponse.empty(.created, exchange: exchange, headers: headers)
    }

    @Sendable func retrieve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits, offered: [.json, .jsonLD])
        let id = try Self.subscriptionId(context)
        let parameters = RepresentationOptions.formParameters(request.uri)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let (subscription, status) = try await subscriptions.subscription(id: id, in: exchange.brokerContext)
        let encoder = SubscriptionEncoder(context: ldContext, sysAttrs: Self.sysAttrs(parameters))
        let body = encoder.encode(subscription, status: status, at: Date())
        return NGSIResponse.json(
            .object(body),
            exchange: exchange,
            contextValue: exchange.headerContextValue,
            extraHeaders: Self.versionHeaders(exchange)
        )
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits, offered: [.json, .jsonLD])
        let parameters = RepresentationOptions.formParameters(request.uri)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let query = try EntityQueryBuilder(context: ldContext, limits: services.limits).page(parameters)
        let page = try await subscriptions.subscriptions(
            limit: query.limit,
            offset: query.offset,
            in: exchange.brokerContext
        )
        let encoder = SubscriptionEncoder(context: ldContext, sysAttrs: Self.sysAttrs(parameters))
        let now = Date()
        let items = page.subscriptions.map { JSON.object(encoder.encode($0.0, status: $0.1, at: now)) }
        var headers = Self.versionHeaders(exchange)
        if query.count { headers[.ngsildResultsCount] = String(page.total) }
        var response = NGSIResponse.json(
            .array(items),
            exchange: exchange,
            contextValue: exchange.headerContextValue,
            extraHeaders: headers
        )
        QueryResponseSupport.addPageLinks(
            to: &response,
            path: request.uri.path,
            parameters: parameters,
            limit: query.limit,
            offset: query.offset,
            hasNext: query.offset + page.subscriptions.count < page.total,
            mediaType: exchange.accept.rawValue
        )
        return response
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try Self.subscriptionId(context)
        let body = try await exchange.readBody()
        guard case .object(var fragment) = body, !fragment.isEmpty else {
            throw NGSIError.badRequestData("The Subscription fragment must be a non-empty JSON object")
        }
        let contextValue = try exchange.contextValue(of: body)
        fragment["@context"] = nil
        for member in ["entities", "watchedAttributes", "notification", "notificationTrigger"]
        where fragment[member] == .null {
            throw NGSIError.badRequestData("\(member) cannot be removed")
        }
        let ldContext = try await services.contexts.context(for: contextValue)
        try await subscriptions.update(
            id: id,
            fragment: fragment,
            expand: ldContext.expandTerm,
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try Self.subscriptionId(context)
        try await subscriptions.delete(id: id, in: exchange.brokerContext)
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    /// A Subscription has no version fallbacks (4.3.6.8): it is the same in every version, so a version preference
    /// is always honoured as is.
    static func versionHeaders(_ exchange: NGSIExchange) -> HTTPFields {
        var headers = HTTPFields()
        if let version = exchange.preferredVersion {
            headers[HTTPField.Name("Preference-Applied")!] = "ngsi-ld=\(version)"
        }
        return headers
    }

    /// The `{subscriptionId}` path parameter, percent-decoded and checked to be a URI.
    static func subscriptionId(_ context: AppRequestContext) throws(NGSIError) -> String {
        guard let raw = context.parameters.get("subscriptionId"), let id = raw.removingPercentEncoding,
            NameRules.isURI(id)
        else {
            throw .badRequestData("The subscription id in the URL is not a URI")
        }
        return id
    }

    /// `options=sysAttrs` (or `sysAttrs=true`).
    static func sysAttrs(_ parameters: FlatDictionary<Substring, Substring>) -> Bool {
        let options = parameters["options"].map { $0.split(separator: ",").map(String.init) } ?? []
        return options.contains("sysAttrs") || parameters["sysAttrs"] == "true"
    }
}
