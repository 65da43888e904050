import Foundation
import Hummingbird
import MachiBroker
import MachiCore
import MachiStore
import OrderedCollections

extension EntitiesController {
    /// Purge Entities (`DELETE /entities?…`, ETSI GS CIM 009, 5.6.21): deletes every entity the query selects, or
    /// with `drop`/`keep` only some of their attributes. The query must narrow the selection the way a Query Entities
    /// does (type, attrs or q on a non-system attribute, geoQ, scopeQ, or local=true); linked-entity terms are refused.
    @Sendable func purge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let parameters = RepresentationOptions.formParameters(request.uri)
        let keep = RepresentationOptions.list(parameters, "keep")
        let drop = RepresentationOptions.list(parameters, "drop")
        if keep != nil, drop != nil { throw NGSIError.badRequestData("keep and drop cannot be used together") }
        for name in (RepresentationOptions.list(parameters, "attrs") ?? []) + (keep ?? []) + (drop ?? []) {
            guard NameRules.isValidTerm(name), !name.contains("{") else {
                throw NGSIError.badRequestData(
                    "\"\(name)\" is not an attribute name (Linked Entity projections are not allowed)"
                )
            }
        }
        if parameters["join"] != nil || parameters["joinLevel"] != nil {
            throw NGSIError.badRequestData("Purge Entities does not retrieve Linked Entities")
        }
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        var query = try EntityQueryBuilder(context: ldContext, limits: services.limits).query(parameters)
        query.limit = services.limits.maxLimit
        query.offset = 0
        query.count = false
        var ids: [String] = []
        while true {
            let page = try await services.entities.query(query, in: exchange.brokerContext)
            ids += page.entities.map(\.id)
            guard page.entities.count == query.limit else { break }
            query.offset += query.limit
        }
        let kept = keep.map { Set($0.map(ldContext.expandTerm)) }
        let dropped = drop.map { Set($0.map(ldContext.expandTerm)) }
        let now = services.entities.timestamp()
        let changes = ids.map { id -> EntityChange in
            if kept == nil, dropped == nil { return EntityService.deletion(id: id) }
            return EntityService.modification(id: id) { entity in
                for name in entity.attributes.keys
                where (kept.map { !$0.contains(name) } ?? false) || (dropped?.contains(name) ?? false) {
                    entity.attributes[name] = nil
                }
                entity.modifiedAt = now
            }
        }
        var start = 0
        while start < changes.count {
            let end = min(start + services.limits.maxBatchSize, changes.count)
            _ = try await services.entities.apply(Array(changes[start..<end]), in: exchange.brokerContext)
            start = end
        }
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }
}
