import Hummingbird
import MachiCore

/// The checks ETSI GS CIM 009 makes before any NGSI-LD operation runs, whatever it targets (implemented or not):
///
/// - 6.3.4: a POST, PATCH or PUT without `Content-Length` is answered with a bare `411 Length Required`;
/// - 6.3.4: a body of a type other than `application/json` or `application/ld+json` (or
///   `application/merge-patch+json` for PATCH) is answered with `415`;
/// - 6.3.20: a query parameter that no NGSI-LD operation defines is answered with `400 InvalidRequest`.
///
/// Whether a parameter fits the operation at hand, and the `Accept` header, are checked by the operation itself.
struct PreconditionMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        guard request.uri.path.hasPrefix("/ngsi-ld/v1/") else { return try await next(request, context) }
        let tenant = request.headers[.ngsildTenant].flatMap { NGSIExchange.isValidTenant($0) ? $0 : nil }
        if [.post, .patch, .put].contains(request.method) {
            guard let length = request.headers[.contentLength] else {
                return Response(status: .lengthRequired)
            }
            if length != "0", let contentType = request.headers[.contentType] {
                let type = MediaType(contentType: contentType)
                guard type == .json || type == .jsonLD || (request.method == .patch && type == .mergePatch) else {
                    return NGSIResponse.problem(
                        NGSIError(
                            .unsupportedMediaType,
                            "Content-Type \(contentType) is not supported; use application/json or application/ld+json"
                        ),
                        tenant: tenant
                    )
                }
            }
        }
        for (name, _) in request.uri.queryParameters where !NGSIQueryParameters.known.contains(String(name)) {
            return NGSIResponse.problem(
                .invalidRequest("\"\(name)\" is not a query parameter of the NGSI-LD API"),
                tenant: tenant
            )
        }
        return try await next(request, context)
    }
}

/// The query parameters of the NGSI-LD API.
enum NGSIQueryParameters {
    /// Every query parameter some NGSI-LD operation (clause 6) defines.
    static let known: Set<String> = [
        // entities, queries, projections and formats (6.4 – 6.7, 6.23 – 6.26)
        "id", "type", "idPattern", "attrs", "q", "csf", "georel", "geometry", "coordinates", "geoproperty",
        "geometryProperty", "lang", "scopeQ", "options", "format", "limit", "offset", "count", "local", "datasetId",
        "deleteAll", "pick", "omit", "join", "joinLevel", "containedBy", "entityMap", "splitEntities", "expandValues",
        "jsonKeys", "collect", "keep", "drop", "contextSourceIds", "doNotCompact", "via", "orderBy", "orderFrom",
        "collation",
        // temporal (6.18 – 6.22)
        "timerel", "timeAt", "endTimeAt", "timeproperty", "lastN", "aggrMethods", "aggrPeriodDuration",
        // subscriptions, registrations, @contexts, snapshots
        "details", "kind", "reload", "observedAt", "showChanges", "sysAttrs",
    ]
}
