import Foundation
public import Hummingbird
import HummingbirdCore
import MachiCore
public import MachiStore

/// Machi's audit API under `/api/v1`:
/// - `GET /api/v1/audit`: the tenant's audit records, newest first, for admins (role `admin` in the tenant, or a
///   server in open mode); filters `actor`, `action`, `target`, `owner`, `from`, `to` (date-times), `limit`
///   (1–1000, default 100) and `offset` (at most 100,000); the tenant is `NGSILD-Tenant`. `chain=identity` reads the
///   identity database's chain instead (sign-ins, token issues, administration of users and clients), narrowed to
///   the records of the request's tenant.
/// - `GET /api/v1/me/access-log`: who read the caller's personal data, when and for what purpose (the tenant's
///   `personal.read` records whose data owner is the caller). Anonymous callers get 401; in open mode the owner is
///   named with `?owner=`.
public enum AuditRouter {
    /// Registers the routes on `router`.
    /// - Parameters:
    ///   - log: the tenants' chains.
    ///   - identity: the identity database's chain (`?chain=identity`), if the server keeps one.
    public static func register(
        on router: Router<AppRequestContext>,
        log: any AuditLog,
        identity: (any AuditLog)? = nil
    ) {
        let group = router.group("api/v1").add(middleware: ProblemMiddleware<AppRequestContext>())
        group.get("audit") { request, context in try await audit(request, context, log: log, identity: identity) }
        group.get("me/access-log") { request, context in try await accessLog(request, context, log: log) }
    }

    static func audit(
        _ request: Request,
        _ context: AppRequestContext,
        log: any AuditLog,
        identity: (any AuditLog)?
    ) async throws -> Response {
        let tenant = try tenant(of: request)
        let principal = context.principal
        guard principal.isOpenMode || principal.kind == .system || principal.roles(in: tenant).contains(.admin) else {
            return NGSIResponse.problem(NGSIError(.accessDenied, "The audit trail is for the tenant's admins"))
        }
        let parameters = request.uri.queryParameters
        var query = try page(parameters)
        query.actor = parameters["actor"].map(String.init)
        query.action = parameters["action"].map(String.init)
        query.target = parameters["target"].map(String.init)
        query.dataOwner = parameters["owner"].map(String.init)
        query.from = try date(parameters, "from")
        query.to = try date(parameters, "to")
        let records: [AuditRecord]
        switch parameters["chain"] {
        case nil, "tenant":
            records = try await log.auditRecords(matching: query, tenant: tenant)
        case "identity":
            // One chain for every tenant: a tenant's admin sees the records of that tenant only.
            query.tenant = tenant
            records = try await identity?.auditRecords(matching: query, tenant: tenant) ?? []
        default:
            throw NGSIError.badRequestData("chain must be tenant or identity")
        }
        return AuditResponse.json(.array(records.map(AuditResponse.json)), tenant: tenant)
    }

    static func accessLog(_ request: Request, _ context: AppRequestContext, log: any AuditLog) async throws -> Response
    {
        let tenant = try tenant(of: request)
        let principal = context.principal
        let parameters = request.uri.queryParameters
        let owner: String
        if principal.isOpenMode {
            guard let named = parameters["owner"], !named.isEmpty else {
                throw NGSIError.badRequestData("In open mode, name the data owner with ?owner=")
            }
            owner = String(named)
        } else if principal.kind == .anonymous {
            return NGSIResponse.problem(NGSIError(.unauthenticated, "Sign in to see who read your data"))
        } else {
            owner = principal.subject
        }
        var query = try page(parameters)
        query.dataOwner = owner
        query.action = AuditAction.personalRead.rawValue
        query.from = try date(parameters, "from")
        query.to = try date(parameters, "to")
        let records = try await log.auditRecords(matching: query, tenant: tenant)
        return AuditResponse.json(.array(records.map(AuditResponse.access)), tenant: tenant)
    }

    static func tenant(of request: Request) throws -> String {
        guard let header = request.headers[.ngsildTenant] else { return StoreTenant.defaultName }
        guard NGSIExchange.isValidTenant(header) else { throw NGSIError.badRequestData("Invalid NGSILD-Tenant") }
        return header
    }

    static func page(_ parameters: FlatDictionary<Substring, Substring>) throws -> AuditQuery {
        let limit = try integer(parameters, "limit", default: 100, in: 1...1000)
        let offset = try integer(parameters, "offset", default: 0, in: 0...100_000)
        return AuditQuery(limit: limit, offset: offset)
    }

    static func integer(
        _ parameters: FlatDictionary<Substring, Substring>,
        _ name: String,
        default value: Int,
        in range: ClosedRange<Int>
    ) throws -> Int {
        guard let text = parameters[Substring(name)] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw NGSIError.badRequestData("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    static func date(_ parameters: FlatDictionary<Substring, Substring>, _ name: String) throws -> Date? {
        guard let text = parameters[Substring(name)] else { return nil }
        guard let date = DateTimeText.parse(String(text)) else {
            throw NGSIError.badRequestData("\(name) must be a date-time such as 2026-04-01T00:00:00Z")
        }
        return date
    }
}
