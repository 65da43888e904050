import Hummingbird
import MachiCore

/// Answers the NGSI-LD endpoint families Machi does not implement yet with `OperationNotSupported` (501),
/// as docs/not-implemented.md lists them, instead of a misleading 404.
struct NotImplementedMiddleware<Context: RequestContext>: RouterMiddleware {
    static var families: [String] {
        [
            "subscriptions", "temporal", "csourceRegistrations", "csourceSubscriptions", "entityMaps", "snapshots",
        ]
    }

    /// The families this server does serve (the subscription API needs a notifier, which a server may lack).
    var implemented: Set<String> = []

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let path = request.uri.path
        guard path.hasPrefix("/ngsi-ld/v1/") else { return try await next(request, context) }
        let family = path.dropFirst("/ngsi-ld/v1/".count).split(separator: "/", maxSplits: 1).first.map(String.init)
        if let family, Self.families.contains(family), !implemented.contains(family) {
            return NGSIResponse.problem(NGSIError(.notImplemented, "/ngsi-ld/v1/\(family) is not implemented yet"))
        }
        return try await next(request, context)
    }
}
