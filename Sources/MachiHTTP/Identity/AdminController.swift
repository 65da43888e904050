import Foundation
public import Hummingbird
import MachiCore
public import MachiIdentity
import MachiStore
import NIOCore

/// The identity admin API: `/api/v1/admin/users` and `/api/v1/admin/clients` (+ `/{id}`), for principals with the
/// `admin` role in the request's tenant (`NGSILD-Tenant`, default tenant without it) or in `--auth open` mode.
///
/// Users are global (one common ID each); an admin sets their roles in the admin's tenant only, and may change the
/// password, the disabled flag or the external IDs only of users who hold roles in no other tenant (otherwise an
/// admin of one tenant could take over an admin of another): that needs `admin` in the default tenant. Clients
/// belong to a tenant; an admin sees and manages the clients of that tenant. Password hashes and client secret hashes never
/// leave the server; a new confidential client's secret is in the creation response only.
///
/// Every change is recorded in the identity database's audit chain (`admin.user.create`, `admin.client.delete`, …)
/// with the admin as the actor and the request's tenant; a refused change records nothing.
public struct AdminController: Sendable {
    let directory: IdentityDirectory

    public init(directory: IdentityDirectory) {
        self.directory = directory
    }

    /// Registers the routes under `/api/v1/admin`, with ProblemDetails errors.
    public static func register(on router: Router<AppRequestContext>, directory: IdentityDirectory) {
        let controller = AdminController(directory: directory)
        let group = router.group("api/v1/admin").add(middleware: ProblemMiddleware<AppRequestContext>())
        group.get("users", use: controller.listUsers)
        group.post("users", use: controller.createUser)
        group.get("users/{id}", use: controller.getUser)
        group.patch("users/{id}", use: controller.updateUser)
        group.post("users/{id}/external-ids", use: controller.linkExternalID)
        group.get("clients", use: controller.listClients)
        group.post("clients", use: controller.createClient)
        group.get("clients/{id}", use: controller.getClient)
        group.delete("clients/{id}", use: controller.deleteClient)
    }

    // MARK: DTOs

    struct UserBody: Codable {
        var id: String
        var username: String
        var displayName: String
        var roles: [String: [String]]
        var disabled: Bool
        var createdAt: String
    }

    struct NewUser: Decodable {
        var username: String
        var displayName: String?
        var password: String?
        /// Roles in the request's tenant.
        var roles: [String]?
    }

    struct UserChange: Decodable {
        var password: String?
        var disabled: Bool?
        /// Replaces the roles in the request's tenant.
        var roles: [String]?
    }

    struct ExternalIDLink: Decodable {
        var scheme: String
        var value: String
    }

    struct ClientBody: Codable {
        var clientId: String
        var name: String
        var `public`: Bool
        var redirectURIs: [String]
        var scopes: [String]
        var grantTypes: [String]
        var tenant: String
        var roles: [String]
        var clientSecret: String?
    }

    struct NewClient: Decodable {
        var clientId: String
        var name: String?
        var `public`: Bool?
        var redirectURIs: [String]?
        var scopes: [String]
        var grantTypes: [String]
        /// Roles of the client itself (client credentials) in the request's tenant.
        var roles: [String]?
    }

    // MARK: handlers

    /// The directory acting for the request's admin, in `tenant`: its changes are recorded as theirs.
    func acting(_ context: AppRequestContext, tenant: String) -> IdentityDirectory {
        directory.administered(
            by: .init(AuditContext(principal: context.principal, requestId: context.id), tenant: tenant)
        )
    }

    /// The tenant of the request, after checking the caller may administer it.
    static func adminTenant(_ request: Request, context: AppRequestContext) throws -> String {
        let tenant = request.headers[.ngsildTenant] ?? ""
        let principal = context.principal
        guard principal.isOpenMode || principal.kind == .system || principal.roles(in: tenant).contains(.admin) else {
            if principal.kind == .anonymous {
                throw NGSIError(
                    .unauthenticated,
                    "The admin API needs a bearer token",
                    title: "The request is not authenticated"
                )
            }
            throw NGSIError(.accessDenied, "The admin API needs the admin role in this tenant", title: "Access denied")
        }
        return tenant
    }

    /// Refuses changing the credentials of a user who holds roles outside `tenant`, unless the caller administers
    /// the default tenant (the platform).
    static func checkMayManage(_ user: UserRecord, tenant: String, context: AppRequestContext) throws {
        let principal = context.principal
        let platformAdmin =
            principal.isOpenMode || principal.kind == .system || principal.roles(in: "").contains(.admin)
        guard platformAdmin || user.roles.keys.allSatisfy({ $0 == tenant }) else {
            throw NGSIError(
                .accessDenied,
                "The user holds roles in other tenants: only an admin of the default tenant may change them",
                title: "Access denied"
            )
        }
    }

    static func problem(_ error: IdentityError) -> NGSIError {
        switch error.code {
        case .conflict: NGSIError(.alreadyExists, error.message)
        case .notFound: NGSIError(.resourceNotFound, error.message)
        default: NGSIError(.badRequestData, error.message)
        }
    }

    func mapping<T>(_ work: () async throws -> T) async throws -> T {
        do { return try await work() } catch let error as IdentityError { throw Self.problem(error) }
    }

    static func body(_ user: UserRecord) -> UserBody {
        UserBody(
            id: user.subject,
            username: user.username,
            displayName: user.displayName,
            roles: user.roles.mapValues { $0.sorted() },
            disabled: user.disabled,
            createdAt: DateTimeText.format(user.createdAt)
        )
    }

    static func body(_ client: ClientRecord, secret: String? = nil) -> ClientBody {
        ClientBody(
            clientId: client.clientId,
            name: client.name,
            public: client.isPublic,
            redirectURIs: client.redirectURIs,
            scopes: client.scopes.sorted(),
            grantTypes: client.grantTypes.sorted(),
            tenant: client.tenant,
            roles: (client.roles[client.tenant] ?? []).sorted(),
            clientSecret: secret
        )
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Response(
            status: status,
            headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value)))
        )
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw NGSIError(.badRequestData, "The body is not the expected JSON object")
        }
    }

    @Sendable func listUsers(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try Self.adminTenant(request, context: context)
        return try Self.json(try await directory.store.users().map(Self.body))
    }

    @Sendable func createUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try Self.adminTenant(request, context: context)
        let new = try await Self.decode(NewUser.self, request)
        let directory = acting(context, tenant: tenant)
        let user = try await mapping {
            try await directory.addUser(
                username: new.username,
                displayName: new.displayName,
                password: new.password,
                roles: new.roles.map { [tenant: Set($0)] } ?? [:]
            )
        }
        var response = try Self.json(Self.body(user), status: .created)
        response.headers[.location] = "/api/v1/admin/users/\(user.subject)"
        return response
    }

    @Sendable func getUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try Self.adminTenant(request, context: context)
        let id = try context.parameters.require("id")
        return try Self.json(Self.body(try await mapping { try await directory.user(id) }))
    }

    @Sendable func updateUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try Self.adminTenant(request, context: context)
        let id = try context.parameters.require("id")
        let change = try await Self.decode(UserChange.self, request)
        let directory = acting(context, tenant: tenant)
        let user = try await mapping {
            let user = try await directory.user(id)
            if change.password != nil || change.disabled != nil {
                try Self.checkMayManage(user, tenant: tenant, context: context)
            }
            // Check everything before changing anything.
            if let password = change.password, password.count < PasswordHasher.minimumLength {
                throw IdentityError(
                    .invalidRequest,
                    "a password needs at least \(PasswordHasher.minimumLength) characters"
                )
            }
            if let roles = change.roles {
                _ = try await directory.setRoles(user.subject, tenant: tenant, roles: Set(roles))
            }
            if let password = change.password { try await directory.setPassword(user.subject, password: password) }
            if let disabled = change.disabled { try await directory.setDisabled(user.subject, disabled) }
            return try await directory.user(user.subject)
        }
        return try Self.json(Self.body(user))
    }

    @Sendable func linkExternalID(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try Self.adminTenant(request, context: context)
        let id = try context.parameters.require("id")
        let link = try await Self.decode(ExternalIDLink.self, request)
        let directory = acting(context, tenant: tenant)
        try await mapping {
            try Self.checkMayManage(try await directory.user(id), tenant: tenant, context: context)
            try await directory.linkExternalID(id, scheme: link.scheme, value: link.value)
        }
        return Response(status: .noContent)
    }

    @Sendable func listClients(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try Self.adminTenant(request, context: context)
        let clients = try await directory.store.clients().filter { $0.tenant == tenant }
        return try Self.json(clients.map { Self.body($0) })
    }

    @Sendable func createClient(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try Self.adminTenant(request, context: context)
        let new = try await Self.decode(NewClient.self, request)
        let directory = acting(context, tenant: tenant)
        let (client, secret) = try await mapping {
            try await directory.addClient(
                clientId: new.clientId,
                name: new.name,
                confidential: !(new.public ?? false),
                redirectURIs: new.redirectURIs ?? [],
                scopes: Set(new.scopes),
                grantTypes: Set(new.grantTypes),
                tenant: tenant,
                roles: new.roles.map { [tenant: Set($0)] } ?? [:]
            )
        }
        var response = try Self.json(Self.body(client, secret: secret), status: .created)
        response.headers[.location] = "/api/v1/admin/clients/\(client.clientId)"
        return response
    }

    @Sendable func getClient(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try Self.adminTenant(request, context: context)
        let id = try context.parameters.require("id")
        guard let client = try await directory.store.client(id: id), client.tenant == tenant else {
            throw NGSIError(.resourceNotFound, "No such client")
        }
        return try Self.json(Self.body(client))
    }

    @Sendable func deleteClient(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try Self.adminTenant(request, context: context)
        let id = try context.parameters.require("id")
        guard let client = try await directory.store.client(id: id), client.tenant == tenant else {
            throw NGSIError(.resourceNotFound, "No such client")
        }
        let directory = acting(context, tenant: tenant)
        try await mapping { try await directory.removeClient(client.clientId) }
        return Response(status: .noContent)
    }
}
