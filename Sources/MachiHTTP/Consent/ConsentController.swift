import Foundation
import Hummingbird
import MachiBroker
import MachiCore
import OrderedCollections

/// The consent API (docs/consent.md): applications ask, residents answer.
///
/// - `POST /api/v1/consent-requests` (an application): `{"owner", "purpose", "entityTypes", "attributes"?,
///   "validUntil"?}` → 201 with the consent, status `requested`;
/// - `GET /api/v1/me/consents`, `GET /api/v1/me/consents/{id}` (the owner);
/// - `POST /api/v1/me/consents/{id}/grant|deny|revoke` (the owner) → 200 with the consent.
///
/// Type and attribute names are expanded with the core @context unless they are IRIs already.
struct ConsentController {
    let consents: ConsentService
    let limits: APILimits

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post("consent-requests") { request, context in try await create(request, context) }
        router.get("me/consents") { request, context in
            let exchange = try NGSIExchange(request, context: context, limits: limits)
            let mine = try await consents.mine(in: exchange.brokerContext)
            return NGSIResponse.plain(.array(mine.map(\.json)))
        }
        router.get("me/consents/{id}") { request, context in
            let exchange = try NGSIExchange(request, context: context, limits: limits)
            let id = try context.parameters.require("id")
            return NGSIResponse.plain(try await consents.mine(id: id, in: exchange.brokerContext).json)
        }
        router.post("me/consents/{id}/{decision}") { request, context in
            let exchange = try NGSIExchange(request, context: context, limits: limits)
            let id = try context.parameters.require("id")
            guard let decision = ConsentService.Decision(rawValue: try context.parameters.require("decision")) else {
                throw NGSIError.notFound("No such consent operation; use grant, deny or revoke")
            }
            return NGSIResponse.plain(try await consents.decide(decision, id: id, in: exchange.brokerContext).json)
        }
    }

    private func create(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: limits)
        let body = try await exchange.readBody()
        guard case .object(let object) = body else {
            throw NGSIError.badRequestData("A consent request is a JSON object")
        }
        let known: Set<String> = ["owner", "purpose", "entityTypes", "attributes", "validUntil"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw NGSIError.badRequestData("Unknown member \(unknown) in a consent request")
        }
        guard let owner = body["owner"]?.stringValue, let purpose = body["purpose"]?.stringValue else {
            throw NGSIError.badRequestData("A consent request needs owner and purpose (strings)")
        }
        let types = try names(body["entityTypes"], "entityTypes") ?? []
        let attributes = try names(body["attributes"], "attributes")
        var until: Date?
        if let text = body["validUntil"] {
            guard let value = text.stringValue.flatMap(DateTimeText.parse) else {
                throw NGSIError.badRequestData("validUntil must be an ISO 8601 date-time")
            }
            until = value
        }
        let consent = try await consents.request(
            .init(owner: owner, purpose: purpose, entityTypes: types, attributes: attributes, validUntil: until),
            in: exchange.brokerContext
        )
        return NGSIResponse.plain(
            consent.json,
            status: .created,
            headers: [.location: "/api/v1/me/consents/\(consent.id)"]
        )
    }

    /// A list of type or attribute names, expanded with the core @context.
    private func names(_ value: JSON?, _ member: String) throws(NGSIError) -> [String]? {
        guard let value else { return nil }
        guard let items = value.arrayValue, items.count <= 100 else {
            throw .badRequestData("\(member) must be an array of at most 100 names")
        }
        return try items.map { item throws(NGSIError) in
            guard let name = item.stringValue, !name.isEmpty else {
                throw .badRequestData("\(member) must hold non-empty strings")
            }
            return JSONLDContext.core.expandTerm(name)
        }
    }
}
