import Logging
import MachiBroker
import MachiCore
public import MachiStore
import OrderedCollections

/// A device's measures translated into the entity changes that write them, ready for the store.
public struct PreparedMeasures: Sendable {
    /// The device's tenant (store name).
    public var tenant: String
    public var changes: [EntityChange]
    public var measureCount: Int
}

extension IoTAgent {
    /// Writes a device's measures and returns once they are durable (the HTTP southbound).
    /// - Throws: `DEVICE_GROUP_NOT_FOUND`/`DEVICE_NOT_FOUND` for an unknown API key or device, `BAD_PAYLOAD` for a
    ///   value that does not fit its attribute; nothing is written then.
    public func ingest(apikey: String, deviceId: String, groups: [MeasureGroup]) async throws(IoTError) {
        let prepared = try await prepare(apikey: apikey, deviceId: deviceId, groups: groups)
        try await write([prepared])
    }

    /// Resolves the device (provisioning it from its group if it is unknown and the group allows it) and translates
    /// the measures.
    public func prepare(
        apikey: String,
        deviceId: String,
        groups: [MeasureGroup]
    ) async throws(IoTError) -> PreparedMeasures {
        do {
            let resolution = try await resolve(apikey: apikey, deviceId: deviceId)
            let device = resolution.device
            let now = entities.timestamp()
            let initial = try initialEntities.entity(for: device, group: resolution.group, now: now)
            let fragments = try translator.fragments(
                for: groups,
                plan: resolution.plan,
                device: device,
                receivedAt: now
            )
            return PreparedMeasures(
                tenant: device.tenant,
                changes: fragments.map { MeasureTranslator.change(entity: initial, fragment: $0, now: now) },
                measureCount: fragments.reduce(0) { $0 + $1.attributes.count }
            )
        } catch {
            statistics.reject()
            logger.notice(
                "IoT measure refused",
                metadata: [
                    "iot.device": "\(deviceId)", "iot.error": "\(error.code.name)", "iot.detail": "\(error.message)",
                ]
            )
            throw error
        }
    }

    /// Writes prepared measures: one store call per tenant, so measures of many devices share transactions.
    public func write(_ batch: [PreparedMeasures]) async throws(IoTError) {
        var byTenant: [String: [PreparedMeasures]] = [:]
        var order: [String] = []
        for prepared in batch where !prepared.changes.isEmpty {
            if byTenant[prepared.tenant] == nil { order.append(prepared.tenant) }
            byTenant[prepared.tenant, default: []].append(prepared)
        }
        var firstError: IoTError?
        for tenant in order {
            let prepared = byTenant[tenant]!
            let context = Origin.agent.context(tenant: tenant.isEmpty ? nil : tenant)
            do {
                let results = try await entities.apply(Self.coalesced(prepared.flatMap(\.changes)), in: context)
                let failures = results.filter { if case .failure = $0 { true } else { false } }.count
                statistics.accept(measures: prepared.reduce(0) { $0 + $1.measureCount })
                if failures > 0 {
                    firstError = firstError ?? IoTError(.entityError, "\(failures) entity updates failed")
                }
            } catch {
                logger.error("IoT measures not written", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                firstError = firstError ?? IoTError(.internalError, "the measures could not be stored: \(error.detail)")
            }
        }
        if let firstError { throw firstError }
    }

    /// One change per entity: the measures of one device in a batch become the steps of one change, so its entity
    /// is written once per transaction while every measure is still recorded as an instance.
    static func coalesced(_ changes: [EntityChange]) -> [EntityChange] {
        var merged: [EntityChange] = []
        var index: [String: Int] = [:]
        for change in changes {
            if let position = index[change.id] {
                merged[position].followingSteps += change.steps
            } else {
                index[change.id] = merged.count
                merged.append(change)
            }
        }
        return merged
    }

    /// The device a message comes from, with its group and measure plan, provisioning it on its first message when
    /// its group allows that.
    func resolve(apikey: String, deviceId: String) async throws(IoTError) -> DeviceRegistry.Resolution {
        if let known = resolution(apikey: apikey, deviceId: deviceId) { return known }
        let (_, group) = registry.lookup(apikey: apikey, deviceId: deviceId)
        guard let group else {
            throw IoTError(.groupNotFound, "no service group or device has this apikey")
        }
        guard group.autoprovision else {
            throw IoTError(
                .deviceNotFound,
                "device \(deviceId) is not provisioned and its group does not autoprovision"
            )
        }
        guard IoTDevice.isValidIdentifier(deviceId) else {
            throw IoTError(.badRequest, "\"\(deviceId.prefix(40))\" is not a valid device id")
        }
        let device = IoTDevice(autoprovisionedAs: deviceId, in: group)
        let inserted = try await storeCall {
            try await store.insertProvisioningRecord(device.record, tenant: device.tenant, origin: Origin.agent.audit)
        }
        if inserted {
            registry.put(device)
            logger.info(
                "IoT device autoprovisioned",
                metadata: ["iot.device": "\(deviceId)", "iot.entity": "\(device.entityName)"]
            )
        }
        // Provisioned now, by this message or by another one meanwhile.
        guard let provisioned = resolution(apikey: apikey, deviceId: deviceId) else {
            throw IoTError(.internalError, "device \(deviceId) could not be provisioned")
        }
        return provisioned
    }

    private func resolution(apikey: String, deviceId: String) -> DeviceRegistry.Resolution? {
        registry.resolution(apikey: apikey, deviceId: deviceId) { device, group in
            translator.plan(device: device, group: group)
        }
    }
}
