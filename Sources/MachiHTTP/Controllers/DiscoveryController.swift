import Foundation
import Hummingbird
import MachiBroker
import MachiCore
import MachiStore
import OrderedCollections

/// `/ngsi-ld/v1/types` and `/ngsi-ld/v1/attributes`: what types and attributes exist (ETSI GS CIM 009, 5.7.5–5.7.10).
struct DiscoveryController {
    let services: NGSIServices

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("types", use: types)
        router.get("types/{type}", use: type)
        router.get("attributes", use: attributes)
        router.get("attributes/{attrId}", use: attribute)
    }

    struct Setup {
        var exchange: NGSIExchange
        var context: JSONLDContext
        var summaries: [TypeSummary]
        var details: Bool
    }

    /// The query parameters of the list operations (6.25, 6.27) and of the single-item operations (6.26, 6.28).
    static let listParameters: Set<String> = ["details", "local", "count"]
    static let itemParameters: Set<String> = ["local"]

    func setup(
        _ request: Request,
        _ context: AppRequestContext,
        allowed: Set<String> = listParameters
    ) async throws -> Setup {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let parameters = RepresentationOptions.formParameters(request.uri)
        for (name, _) in parameters where !allowed.contains(String(name)) {
            throw NGSIError.invalidRequest("\"\(name)\" is not a query parameter of this operation")
        }
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let details = try RepresentationOptions.flag(parameters, "details")
        let summaries = try await services.entities.typeSummaries(in: exchange.brokerContext)
        return Setup(exchange: exchange, context: ldContext, summaries: summaries, details: details)
    }

    func respond(_ body: JSON, _ setup: Setup) -> Response {
        NGSIResponse.json(body, exchange: setup.exchange, contextValue: setup.exchange.headerContextValue)
    }

    @Sendable func types(_ request: Request, context: AppRequestContext) async throws -> Response {
        let setup = try await setup(request, context)
        let c = setup.context
        if setup.details {
            let list: [JSON] = setup.summaries.map { summary in
                [
                    "id": .string(summary.type), "type": "EntityType", "typeName": .string(c.compactIRI(summary.type)),
                    "attributeNames": .array(summary.attributes.keys.sorted().map { .string(c.compactIRI($0)) }),
                ]
            }
            return respond(.array(list), setup)
        }
        let names = setup.summaries.map { JSON.string(c.compactIRI($0.type)) }
        return respond(
            [
                "id": .string("urn:ngsi-ld:EntityTypeList:\(UUID().uuidString.lowercased())"), "type": "EntityTypeList",
                "typeList": .array(names),
            ],
            setup
        )
    }

    @Sendable func type(_ request: Request, context: AppRequestContext) async throws -> Response {
        let setup = try await setup(request, context, allowed: Self.itemParameters)
        let c = setup.context
        guard let raw = context.parameters.get("type")?.removingPercentEncoding, NameRules.isValidName(raw) else {
            throw NGSIError.badRequestData("Invalid type name")
        }
        let iri = c.expandTerm(raw)
        guard let summary = setup.summaries.first(where: { $0.type == iri }) else {
            throw NGSIError.notFound("No entity of type \(raw)")
        }
        let details: [JSON] = summary.attributes.keys.sorted().map { name in
            [
                "id": .string(name), "type": "Attribute", "attributeName": .string(c.compactIRI(name)),
                "attributeTypes": .array(summary.attributes[name, default: []].sorted().map(JSON.string)),
            ]
        }
        return respond(
            [
                "id": .string(iri), "type": "EntityTypeInfo", "typeName": .string(c.compactIRI(iri)),
                "entityCount": .number(Double(summary.entityCount)), "attributeDetails": .array(details),
            ],
            setup
        )
    }

    /// Attribute name → (kinds, types having it, entities of those types).
    func attributeIndex(_ summaries: [TypeSummary]) -> [String: (kinds: Set<String>, types: [String], count: Int)] {
        var index: [String: (kinds: Set<String>, types: [String], count: Int)] = [:]
        for summary in summaries {
            for (name, kinds) in summary.attributes {
                index[name, default: ([], [], 0)].kinds.formUnion(kinds)
                index[name]!.types.append(summary.type)
                index[name]!.count += summary.entityCount
            }
        }
        return index
    }

    @Sendable func attributes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let setup = try await setup(request, context)
        let c = setup.context
        let index = attributeIndex(setup.summaries)
        if setup.details {
            let list: [JSON] = index.keys.sorted().map { name in
                [
                    "id": .string(name), "type": "Attribute", "attributeName": .string(c.compactIRI(name)),
                    "typeNames": .array(index[name]!.types.map { .string(c.compactIRI($0)) }),
                ]
            }
            return respond(.array(list), setup)
        }
        return respond(
            [
                "id": .string("urn:ngsi-ld:AttributeList:\(UUID().uuidString.lowercased())"), "type": "AttributeList",
                "attributeList": .array(index.keys.sorted().map { .string(c.compactIRI($0)) }),
            ],
            setup
        )
    }

    @Sendable func attribute(_ request: Request, context: AppRequestContext) async throws -> Response {
        let setup = try await setup(request, context, allowed: Self.itemParameters)
        let c = setup.context
        guard let raw = context.parameters.get("attrId")?.removingPercentEncoding, NameRules.isValidName(raw) else {
            throw NGSIError.badRequestData("Invalid attribute name")
        }
        let iri = c.expandTerm(raw)
        guard let entry = attributeIndex(setup.summaries)[iri] else { throw NGSIError.notFound("No attribute \(raw)") }
        return respond(
            [
                "id": .string(iri), "type": "Attribute", "attributeName": .string(c.compactIRI(iri)),
                "attributeCount": .number(Double(entry.count)),
                "attributeTypes": .array(entry.kinds.sorted().map(JSON.string)),
                "typeNames": .array(entry.types.map { .string(c.compactIRI($0)) }),
            ],
            setup
        )
    }
}
