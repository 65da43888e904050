public import MachiCore

/// One provisioned IoT object (a service group or a device) as stored: its kind, its key within the tenant and
/// its document (the FIWARE provisioning JSON, normalized by the IoT agent).
public struct ProvisioningRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        case group
        case device
    }

    public var kind: Kind
    /// Unique per kind within a tenant (the IoT agent builds it from the object's identifying fields).
    public var key: String
    public var document: JSON

    public init(kind: Kind, key: String, document: JSON) {
        self.kind = kind
        self.key = key
        self.document = document
    }
}

/// Where the IoT agent keeps its service groups and devices, per tenant, beside the tenant's entities, so that
/// provisioning survives restarts.
public protocol ProvisioningStore: Sendable {
    /// Stores a new record; creates the tenant. Writes (here and below) append their audit record (`iot.create`,
    /// …, target `<kind>:<key>`), attributed to `origin`, in their transaction.
    /// - Returns: `false` (and changes nothing) if a record of this kind and key exists.
    func insertProvisioningRecord(
        _ record: ProvisioningRecord,
        tenant: String,
        origin: AuditContext
    ) async throws -> Bool
    /// Replaces an existing record. `false` if there is none.
    func updateProvisioningRecord(
        _ record: ProvisioningRecord,
        tenant: String,
        origin: AuditContext
    ) async throws -> Bool
    /// Deletes a record. `false` if there is none.
    func deleteProvisioningRecord(
        kind: ProvisioningRecord.Kind,
        key: String,
        tenant: String,
        origin: AuditContext
    ) async throws -> Bool
    /// Every record of every tenant, by tenant (read at start-up).
    func allProvisioningRecords() async throws -> [String: [ProvisioningRecord]]
}

extension ProvisioningStore {
    /// `insertProvisioningRecord` attributed to no caller: for tests and tools.
    public func insertProvisioningRecord(_ record: ProvisioningRecord, tenant: String) async throws -> Bool {
        try await insertProvisioningRecord(record, tenant: tenant, origin: .unattributed)
    }

    /// `updateProvisioningRecord` attributed to no caller: for tests and tools.
    public func updateProvisioningRecord(_ record: ProvisioningRecord, tenant: String) async throws -> Bool {
        try await updateProvisioningRecord(record, tenant: tenant, origin: .unattributed)
    }

    /// `deleteProvisioningRecord` attributed to no caller: for tests and tools.
    public func deleteProvisioningRecord(
        kind: ProvisioningRecord.Kind,
        key: String,
        tenant: String
    ) async throws -> Bool {
        try await deleteProvisioningRecord(kind: kind, key: key, tenant: tenant, origin: .unattributed)
    }
}
