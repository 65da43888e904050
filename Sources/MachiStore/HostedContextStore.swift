public import Foundation
public import MachiCore

/// A JSON-LD @context document that the broker hosts for a tenant (ETSI GS CIM 009, 5.13): added by a client
/// (`POST /jsonldContexts`, `Hosted`) or made by the broker for a subscription whose @context is not a single URL
/// (`ImplicitlyCreated`).
public struct HostedContextRecord: Sendable, Equatable {
    /// How the context came to be hosted.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Added by a client through `POST /jsonldContexts`.
        case hosted = "Hosted"
        /// Made by the broker from the @context of a subscription.
        case implicitlyCreated = "ImplicitlyCreated"
    }

    /// The local id, unique across tenants (`urn:ngsi-ld:context:<uuid>`).
    public var id: String
    /// The tenant that added it (`StoreTenant.defaultName` for the default tenant).
    public var tenant: String
    /// The document as added: a JSON object with an `@context` member.
    public var document: JSON
    /// When it was added.
    public var createdAt: Date
    /// Hosted (added by a client) or implicitly created.
    public var kind: Kind

    public init(id: String, tenant: String, document: JSON, createdAt: Date, kind: Kind = .hosted) {
        self.id = id
        self.tenant = tenant
        self.document = document
        self.createdAt = createdAt
        self.kind = kind
    }
}

/// Where hosted @contexts are kept, so they survive a restart. Contexts fetched from elsewhere (the cache) are not
/// stored: they can be fetched again.
///
/// Writes are acknowledged only after they are durable.
public protocol HostedContextStore: Sendable {
    /// Every hosted @context of every tenant, oldest first.
    func hostedContexts() async throws -> [HostedContextRecord]

    /// Stores `record`, replacing one with the same id; appends a `context.create` audit record attributed to
    /// `origin` in the same transaction.
    func saveHostedContext(_ record: HostedContextRecord, origin: AuditContext) async throws

    /// Deletes the hosted @context `id` of `tenant` (and records `context.delete` if it existed).
    /// - Returns: whether it existed.
    @discardableResult
    func deleteHostedContext(id: String, tenant: String, origin: AuditContext) async throws -> Bool
}

extension HostedContextStore {
    /// `saveHostedContext` attributed to no caller: for tests and tools.
    public func saveHostedContext(_ record: HostedContextRecord) async throws {
        try await saveHostedContext(record, origin: .unattributed)
    }

    /// `deleteHostedContext` attributed to no caller: for tests and tools.
    @discardableResult
    public func deleteHostedContext(id: String, tenant: String) async throws -> Bool {
        try await deleteHostedContext(id: id, tenant: tenant, origin: .unattributed)
    }
}
