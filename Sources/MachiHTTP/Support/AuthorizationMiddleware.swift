public import Hummingbird
import MachiCore
public import MachiIdentity
import NIOCore

/// The one authorization check in front of every API: classifies the request (`AccessRoute`), finds its tenant
/// and asks the `AccessPolicy`. A refusal is answered in the API's own error shape — NGSI-LD ProblemDetails, or
/// FIWARE's `{name, message}` under `/iot` — and the request goes no further.
public struct AuthorizationMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let policy: AccessPolicy

    public init(policy: AccessPolicy) {
        self.policy = policy
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let route = AccessRoute(method: request.method, path: request.uri.path) else {
            return try await next(request, context)
        }
        do {
            try policy.authorize(context.principal, route.action, tenant: route.tenant(request.headers))
        } catch {
            return Self.refusal(error, iot: route.api == .iot)
        }
        return try await next(request, context)
    }

    static func refusal(_ error: NGSIError, iot: Bool) -> Response {
        var response =
            iot
            ? IoTExchange.json(
                [
                    "name": .string(error.status == 401 ? "UNAUTHORIZED" : "FORBIDDEN"),
                    "message": .string(error.detail),
                ],
                status: .init(code: error.status)
            )
            : NGSIResponse.problem(error, tenant: nil)
        if error.status == 401 {
            response.headers[.wwwAuthenticate] = #"Bearer realm="machi""#
        } else if error.status == 403 {
            response.headers[.wwwAuthenticate] = #"Bearer realm="machi", error="insufficient_scope""#
        }
        return response
    }
}

/// What a request needs from the policy: the API it belongs to and the action; `nil` for what anyone may call
/// (`/health`, `/metrics`, the OAuth 2.0 endpoints, device measures, which the IoT agent checks by API key).
struct AccessRoute: Equatable {
    enum API: Equatable { case ngsiLD, iot, machi }

    var api: API
    var action: AccessAction

    init?(method: HTTPRequest.Method, path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let reads: Set<HTTPRequest.Method> = [.get, .head, .options]
        switch (parts.first, parts.dropFirst().first) {
        case ("ngsi-ld", "v1"):
            api = .ngsiLD
            let rest = parts.dropFirst(2)
            if rest.first == "subscriptions" {
                action = reads.contains(method) ? .read : .subscribe
            } else if reads.contains(method) || Self.isQuery(method, rest) {
                action = .read
            } else {
                action = .write
            }
        case ("iot", let second):
            guard let second, !["d", "json", "about"].contains(second) else { return nil }
            api = .iot
            action = .iotAdmin
        case ("api", "v1"):
            api = .machi
            switch parts.dropFirst(2).first {
            case "admin": action = .admin
            case "audit": action = .auditRead
            case "me": action = .selfService
            case "consent-requests": action = .requestConsent
            default: action = reads.contains(method) ? .read : .write
            }
        default:
            return nil
        }
    }

    /// `POST …/entityOperations/query` reads, for the core and the temporal API alike.
    private static func isQuery(_ method: HTTPRequest.Method, _ rest: ArraySlice<Substring>) -> Bool {
        method == .post && rest.last == "query" && rest.dropLast().last == "entityOperations"
    }

    /// The tenant the request acts in: `NGSILD-Tenant`, or `Fiware-Service` under `/iot`; `""` for the default.
    func tenant(_ headers: HTTPFields) -> String {
        switch api {
        case .iot: (headers[.fiwareService] ?? headers[.ngsildTenant] ?? "").lowercased()
        case .ngsiLD, .machi: headers[.ngsildTenant] ?? ""
        }
    }
}
