import Synchronization

/// The agent's in-memory index of every tenant's groups and devices (loaded from the store at start, kept in step
/// with it by `IoTAgent`): finds a device from a southbound message (API key + device id, no tenant) and from an
/// entity id (commands), in constant time.
final class DeviceRegistry: Sendable {
    struct Location: Hashable, Sendable {
        var tenant: String
        var key: String
    }

    struct State: Sendable {
        var groups: [Location: ServiceGroup] = [:]
        var devices: [Location: IoTDevice] = [:]
        /// API key → the groups with it.
        var groupsByAPIKey: [String: Set<Location>] = [:]
        /// `apikey␟device_id` → a device with an API key of its own.
        var devicesByOwnKey: [String: Location] = [:]
        /// Tenant → entity id → device.
        var entities: [String: [String: Location]] = [:]
        /// Tenants with at least one device that takes commands → how many.
        var commandDevices: [String: Int] = [:]
        /// Southbound addresses already resolved, with their plans; emptied whenever a group or device changes.
        var resolutions: [Address: Resolution] = [:]
    }

    /// A southbound message's address: its API key and device id.
    struct Address: Hashable, Sendable {
        var apikey: String
        var deviceId: String
    }

    /// A provisioned device found for an address, its group, and the plan that translates its measures.
    struct Resolution: Sendable {
        var device: IoTDevice
        var group: ServiceGroup?
        var plan: MeasureTranslator.Plan
    }

    /// The most resolutions kept; all are dropped when it is reached (they are resolved again as needed).
    static let resolutionCapacity = 100_000

    private let state = Mutex(State())

    func put(_ group: ServiceGroup) {
        let location = Location(tenant: group.tenant, key: group.storeKey)
        state.withLock { state in
            state.resolutions.removeAll()
            state.groups[location] = group
            state.groupsByAPIKey[group.apikey, default: []].insert(location)
        }
    }

    func removeGroup(at location: Location) {
        state.withLock { state in
            state.resolutions.removeAll()
            guard let old = state.groups.removeValue(forKey: location) else { return }
            state.groupsByAPIKey[old.apikey]?.remove(location)
        }
    }

    func put(_ device: IoTDevice) {
        let location = Location(tenant: device.tenant, key: device.storeKey)
        state.withLock { state in
            state.resolutions.removeAll()
            Self.unindex(at: location, in: &state)
            state.devices[location] = device
            state.entities[device.tenant, default: [:]][device.entityName] = location
            if let apikey = device.apikey { state.devicesByOwnKey["\(apikey)\u{1F}\(device.deviceId)"] = location }
            if !device.commands.isEmpty { state.commandDevices[device.tenant, default: 0] += 1 }
        }
    }

    func removeDevice(at location: Location) {
        state.withLock { state in
            state.resolutions.removeAll()
            Self.unindex(at: location, in: &state)
            state.devices.removeValue(forKey: location)
        }
    }

    private static func unindex(at location: Location, in state: inout State) {
        guard let old = state.devices[location] else { return }
        state.entities[old.tenant]?.removeValue(forKey: old.entityName)
        if let apikey = old.apikey { state.devicesByOwnKey.removeValue(forKey: "\(apikey)\u{1F}\(old.deviceId)") }
        if !old.commands.isEmpty { state.commandDevices[old.tenant, default: 1] -= 1 }
    }

    func group(at location: Location) -> ServiceGroup? { state.withLock { $0.groups[location] } }
    func device(at location: Location) -> IoTDevice? { state.withLock { $0.devices[location] } }

    /// The tenant's groups, or its devices, in key order.
    func groups(tenant: String) -> [ServiceGroup] {
        state.withLock { state in
            state.groups.filter { $0.key.tenant == tenant }.sorted { $0.key.key < $1.key.key }.map(\.value)
        }
    }

    func devices(tenant: String) -> [IoTDevice] {
        state.withLock { state in
            state.devices.filter { $0.key.tenant == tenant }.sorted { $0.key.key < $1.key.key }.map(\.value)
        }
    }

    /// Every group with this API key, in any tenant (in a stable order).
    func groups(apikey: String) -> [ServiceGroup] {
        state.withLock { state in
            (state.groupsByAPIKey[apikey] ?? []).sorted { ($0.tenant, $0.key) < ($1.tenant, $1.key) }
                .compactMap { state.groups[$0] }
        }
    }

    /// The group a device belongs to: of its tenant and service path, with its API key if it has one.
    func group(of device: IoTDevice) -> ServiceGroup? {
        group(tenant: device.tenant, servicePath: device.servicePath, apikey: device.apikey)
    }

    /// The group of a tenant and service path (with this API key, if given).
    func group(tenant: String, servicePath: String, apikey: String?) -> ServiceGroup? {
        state.withLock { state in
            state.groups.filter { $0.key.tenant == tenant && $0.value.subservice == servicePath }
                .sorted { $0.key.key < $1.key.key }.map(\.value)
                .first { apikey == nil || $0.apikey == apikey }
        }
    }

    /// Resolves a southbound message's API key and device id: a device with this API key of its own, or a device
    /// without one in the tenant and service path of a group with this key. Also returns the device's group (for an
    /// unknown device: the first group with the key, which may autoprovision it).
    func lookup(apikey: String, deviceId: String) -> (device: IoTDevice?, group: ServiceGroup?) {
        state.withLock { state in Self.lookup(apikey: apikey, deviceId: deviceId, in: state) }
    }

    /// The provisioned device at a southbound address, with its group and measure plan (made by `makePlan` the first
    /// time, then kept until a group or device changes); `nil` for an address no device has.
    func resolution(
        apikey: String,
        deviceId: String,
        makePlan: (IoTDevice, ServiceGroup?) -> MeasureTranslator.Plan
    ) -> Resolution? {
        state.withLock { state in
            let address = Address(apikey: apikey, deviceId: deviceId)
            if let known = state.resolutions[address] { return known }
            let (device, group) = Self.lookup(apikey: apikey, deviceId: deviceId, in: state)
            guard let device else { return nil }
            let resolution = Resolution(device: device, group: group, plan: makePlan(device, group))
            if state.resolutions.count >= Self.resolutionCapacity { state.resolutions.removeAll() }
            state.resolutions[address] = resolution
            return resolution
        }
    }

    private static func lookup(
        apikey: String,
        deviceId: String,
        in state: State
    ) -> (device: IoTDevice?, group: ServiceGroup?) {
        let groups = (state.groupsByAPIKey[apikey] ?? []).sorted { ($0.tenant, $0.key) < ($1.tenant, $1.key) }
            .compactMap { state.groups[$0] }
        if let location = state.devicesByOwnKey["\(apikey)\u{1F}\(deviceId)"], let device = state.devices[location] {
            return (device, groups.first { $0.tenant == device.tenant && $0.subservice == device.servicePath })
        }
        for group in groups {
            let location = Location(tenant: group.tenant, key: "\(group.subservice)\u{1F}\(deviceId)")
            if let device = state.devices[location], device.apikey == nil { return (device, group) }
        }
        return (nil, groups.first)
    }

    /// The device whose entity this is, in a tenant.
    func device(entityId: String, tenant: String) -> IoTDevice? {
        state.withLock { state in state.entities[tenant]?[entityId].flatMap { state.devices[$0] } }
    }

    /// Whether any device of the tenant takes commands (lets the command observer skip most changes cheaply).
    func hasCommandDevices(tenant: String) -> Bool { state.withLock { ($0.commandDevices[tenant] ?? 0) > 0 } }
}

extension ServiceGroup {
    /// The store's tenant name (`""` for the default tenant).
    var tenant: String { service ?? "" }
    var location: DeviceRegistry.Location { .init(tenant: tenant, key: storeKey) }
}

extension IoTDevice {
    var tenant: String { service ?? "" }
    var location: DeviceRegistry.Location { .init(tenant: tenant, key: storeKey) }
}
