import Foundation
public import Logging
public import MachiBroker
public import MachiCore
public import MachiStore
import OrderedCollections
import Synchronization

/// Machi's built-in IoT agent: FIWARE's provisioning model (service groups and devices, kept in the store) and the
/// translation of device measures into NGSI-LD attribute updates, written in-process through the broker.
///
/// Tenants are FIWARE services (`Fiware-Service`); `nil` is the default tenant.
public final class IoTAgent: Sendable {
    let store: any ProvisioningStore
    let entities: EntityService
    let translator: MeasureTranslator
    let initialEntities: InitialEntities
    let registry = DeviceRegistry()
    let logger: Logger
    let statistics = IoTStatistics()
    let commandCenter: CommandCenter

    /// - Parameter context: the @context that expands the agent's attribute names and entity types.
    public init(
        store: any ProvisioningStore,
        entities: EntityService,
        context: JSONLDContext = .core,
        logger: Logger
    ) {
        self.store = store
        self.entities = entities
        self.translator = MeasureTranslator(context: context)
        self.initialEntities = InitialEntities(translator: translator)
        self.commandCenter = CommandCenter(registry: registry, context: context)
        self.logger = logger
    }

    /// Loads every tenant's groups and devices from the store (at start-up).
    public func load() async throws {
        for (tenant, records) in try await store.allProvisioningRecords() {
            let service = tenant.isEmpty ? nil : tenant
            for record in records where record.kind == .group {
                let subservice = record.document["subservice"]?.stringValue ?? "/"
                registry.put(try ServiceGroup(record.document, service: service, subservice: subservice))
            }
            for record in records where record.kind == .device {
                let servicePath = record.document["service_path"]?.stringValue ?? "/"
                registry.put(try IoTDevice(record.document, service: service, servicePath: servicePath, group: nil))
            }
        }
    }

    // MARK: Service groups

    /// Creates groups (`POST /iot/services`): all or none.
    /// - Throws: `DUPLICATE_GROUP` if a group with the same resource and API key exists in any service.
    public func createGroups(
        _ body: JSON,
        key: String,
        service: String?,
        subservice: String,
        by origin: Origin = .agent
    ) async throws(IoTError) {
        guard case .array(let elements)? = body[key], !elements.isEmpty else {
            throw IoTError(.wrongSyntax, "the body must have a non-empty \"\(key)\" array")
        }
        var groups: [ServiceGroup] = []
        for element in elements {
            let group = try ServiceGroup(element, service: service, subservice: subservice)
            let taken = registry.groups(apikey: group.apikey).contains { $0.resource == group.resource }
            if taken || groups.contains(where: { $0.storeKey == group.storeKey }) {
                throw IoTError(
                    .duplicateGroup,
                    "a service group with resource \(group.resource) and this apikey exists"
                )
            }
            groups.append(group)
        }
        var created: [ServiceGroup] = []
        for group in groups {
            let inserted = try await storeCall {
                try await store.insertProvisioningRecord(group.record, tenant: group.tenant, origin: origin.audit)
            }
            guard inserted else {
                await rollBack(created.map { ($0.location, ProvisioningRecord.Kind.group) }, by: origin)
                throw IoTError(
                    .duplicateGroup,
                    "a service group with resource \(group.resource) and this apikey exists"
                )
            }
            registry.put(group)
            created.append(group)
        }
    }

    /// The groups of a service; of one subservice unless it is `/*`.
    public func groups(service: String?, subservice: String) -> [ServiceGroup] {
        registry.groups(tenant: service ?? "").filter { subservice == "/*" || $0.subservice == subservice }
    }

    /// Updates a group (`PUT /iot/services?resource=&apikey=`) with the members of `body`.
    public func updateGroup(
        resource: String,
        apikey: String,
        body: JSON,
        service: String?,
        subservice: String,
        by origin: Origin = .agent
    ) async throws(IoTError) {
        var group = try existingGroup(resource: resource, apikey: apikey, service: service, subservice: subservice)
        try group.update(with: body)
        let updated = try await storeCall {
            try await store.updateProvisioningRecord(group.record, tenant: group.tenant, origin: origin.audit)
        }
        guard updated else { throw IoTError(.groupNotFound, "the service group was deleted meanwhile") }
        registry.put(group)
    }

    /// Deletes a group (`DELETE /iot/services?resource=&apikey=`), and with `deleteDevices` its devices.
    public func deleteGroup(
        resource: String,
        apikey: String,
        service: String?,
        subservice: String,
        deleteDevices: Bool,
        by origin: Origin = .agent
    ) async throws(IoTError) {
        let group = try existingGroup(resource: resource, apikey: apikey, service: service, subservice: subservice)
        if deleteDevices {
            for device in registry.devices(tenant: group.tenant)
            where device.servicePath == group.subservice && (device.apikey == nil || device.apikey == apikey) {
                try await deleteDevice(
                    id: device.deviceId,
                    service: service,
                    servicePath: device.servicePath,
                    by: origin
                )
            }
        }
        _ = try await storeCall {
            try await store.deleteProvisioningRecord(
                kind: .group,
                key: group.storeKey,
                tenant: group.tenant,
                origin: origin.audit
            )
        }
        registry.removeGroup(at: group.location)
    }

    private func existingGroup(
        resource: String,
        apikey: String,
        service: String?,
        subservice: String
    ) throws(IoTError) -> ServiceGroup {
        let location = DeviceRegistry.Location(tenant: service ?? "", key: "\(resource)\u{1F}\(apikey)")
        guard let group = registry.group(at: location), subservice == "/*" || group.subservice == subservice else {
            throw IoTError(.groupNotFound, "no service group with resource \(resource) and this apikey")
        }
        return group
    }

    // MARK: Devices

    /// Provisions devices (`POST /iot/devices`): all or none. Each device's entity is created (or, if it exists,
    /// given the static and command attributes it lacks), so it is visible at once.
    /// - Throws: `DUPLICATE_DEVICE_ID` if a device with the same id exists in the service path.
    public func createDevices(
        _ body: JSON,
        service: String?,
        servicePath: String,
        by origin: Origin = .agent
    ) async throws(IoTError) {
        guard case .array(let elements)? = body["devices"], !elements.isEmpty else {
            throw IoTError(.wrongSyntax, "the body must have a non-empty \"devices\" array")
        }
        let now = entities.timestamp()
        var devices: [(device: IoTDevice, entity: Entity)] = []
        for element in elements {
            let group = registry.group(
                tenant: service ?? "",
                servicePath: servicePath,
                apikey: element["apikey"]?.stringValue
            )
            let device = try IoTDevice(element, service: service, servicePath: servicePath, group: group)
            if registry.device(at: device.location) != nil
                || devices.contains(where: { $0.device.storeKey == device.storeKey })
            {
                throw IoTError(.duplicateDevice, "a device with id \(device.deviceId) exists in \(servicePath)")
            }
            devices.append((device, try translator.initialEntity(for: device, group: group, now: now)))
        }
        var created: [IoTDevice] = []
        for (device, _) in devices {
            let inserted = try await storeCall {
                try await store.insertProvisioningRecord(device.record, tenant: device.tenant, origin: origin.audit)
            }
            guard inserted else {
                await rollBack(created.map { ($0.location, ProvisioningRecord.Kind.device) }, by: origin)
                throw IoTError(.duplicateDevice, "a device with id \(device.deviceId) exists in \(servicePath)")
            }
            created.append(device)
        }
        let changes = devices.map { Self.provisioning($0.entity, now: now) }
        let results: [Result<EntityChangeResult, NGSIError>]
        do {
            results = try await entities.apply(changes, in: origin.context(tenant: service))
        } catch {
            await rollBack(created.map { ($0.location, ProvisioningRecord.Kind.device) }, by: origin)
            throw IoTError(.entityError, error.detail)
        }
        if case .failure(let error)? = results.first(where: { if case .failure = $0 { true } else { false } }) {
            await rollBack(created.map { ($0.location, ProvisioningRecord.Kind.device) }, by: origin)
            throw IoTError(.entityError, error.detail)
        }
        for device in created { registry.put(device) }
    }

    /// The change that creates a device's entity, or adds to an existing one the attributes it lacks.
    static func provisioning(_ entity: Entity, now: String) -> EntityChange {
        EntityChange(id: entity.id) { existing in
            guard var current = existing else { return entity }
            for (name, instances) in entity.attributes where current.attributes[name] == nil {
                current.attributes[name] = instances
            }
            current.modifiedAt = now
            return current
        }
    }

    /// The devices of a service; of one service path unless it is `/*`.
    public func devices(service: String?, servicePath: String) -> [IoTDevice] {
        registry.devices(tenant: service ?? "").filter { servicePath == "/*" || $0.servicePath == servicePath }
    }

    public func device(id: String, service: String?, servicePath: String) throws(IoTError) -> IoTDevice {
        let matches = devices(service: service, servicePath: servicePath).filter { $0.deviceId == id }
        guard let device = matches.first else { throw IoTError(.deviceNotFound, "no device with id \(id)") }
        return device
    }

    /// Updates a device (`PUT /iot/devices/{id}`) with the members of `body`; its entity gets the new static and
    /// command attributes it lacks.
    public func updateDevice(
        id: String,
        body: JSON,
        service: String?,
        servicePath: String,
        by origin: Origin = .agent
    ) async throws(IoTError) {
        var device = try device(id: id, service: service, servicePath: servicePath)
        let group = registry.group(of: device)
        try device.update(with: body, group: group)
        let entity = try translator.initialEntity(for: device, group: group, now: entities.timestamp())
        let updated = try await storeCall {
            try await store.updateProvisioningRecord(device.record, tenant: device.tenant, origin: origin.audit)
        }
        guard updated else { throw IoTError(.deviceNotFound, "the device \(id) was deleted meanwhile") }
        registry.put(device)
        do {
            _ = try await entities.apply(
                [Self.provisioning(entity, now: entities.timestamp())],
                in: origin.context(tenant: service)
            )
        } catch {
            throw IoTError(.entityError, error.detail)
        }
    }

    /// Deprovisions a device (`DELETE /iot/devices/{id}`); its entity and history stay in the broker.
    public func deleteDevice(
        id: String,
        service: String?,
        servicePath: String,
        by origin: Origin = .agent
    ) async throws(IoTError) {
        let device = try device(id: id, service: service, servicePath: servicePath)
        _ = try await storeCall {
            try await store.deleteProvisioningRecord(
                kind: .device,
                key: device.storeKey,
                tenant: device.tenant,
                origin: origin.audit
            )
        }
        registry.removeDevice(at: device.location)
    }

    private func rollBack(_ created: [(DeviceRegistry.Location, ProvisioningRecord.Kind)], by origin: Origin) async {
        for (location, kind) in created {
            _ = try? await store.deleteProvisioningRecord(
                kind: kind,
                key: location.key,
                tenant: location.tenant,
                origin: origin.audit
            )
        }
    }

    func storeCall<T: Sendable>(_ body: () async throws -> T) async throws(IoTError) -> T {
        do {
            return try await body()
        } catch {
            logger.error("IoT provisioning store failure", metadata: ["error": "\(error)"])
            throw IoTError(.internalError, "the provisioning store failed")
        }
    }
}

extension ServiceGroup {
    var record: ProvisioningRecord { ProvisioningRecord(kind: .group, key: storeKey, document: json) }
}

extension IoTDevice {
    var record: ProvisioningRecord { ProvisioningRecord(kind: .device, key: storeKey, document: json) }

}
