import Foundation
public import MachiCore
import MachiStore
import OrderedCollections
import Synchronization

/// A command for a device: an update of one of its command attributes, committed.
public struct DeviceCommand: Sendable {
    public var device: IoTDevice
    /// The API key the device listens with (its own, or its group's).
    public var apikey: String
    /// The command's name as provisioned (compact).
    public var name: String
    /// The attribute's new value: the command's parameters.
    public var value: JSON

    /// The command as the device's protocol encodes it: UltraLight `<device>@<command>|<params>` or JSON
    /// `{"<command>": <params>}`.
    public var payload: [UInt8] {
        device.usesJSON
            ? JSONMeasures.command(name: name, value: value)
            : Array(UltraLight.command(device: device.deviceId, name: name, value: value).utf8)
    }
}

/// Watches every write, inside its transaction, for updated command attributes of provisioned devices, and hands
/// the commands on once the transaction has committed (a rolled-back update sends nothing).
///
/// It is a `ChangeObserver` that writes no outbox entries: a command is sent at most once. Its status attribute
/// (`<cmd>_status`) tells the user where it stands (PENDING, DELIVERED, OK, ERROR).
final class CommandCenter: ChangeObserver, Sendable {
    let registry: DeviceRegistry
    let context: JSONLDContext
    private let pending = Mutex<[String: [DeviceCommand]]>([:])
    let commands: AsyncStream<DeviceCommand>
    private let continuation: AsyncStream<DeviceCommand>.Continuation

    init(registry: DeviceRegistry, context: JSONLDContext) {
        self.registry = registry
        self.context = context
        (commands, continuation) = AsyncStream.makeStream()
    }

    /// Queues the commands whose attribute a step of the change updated; nothing to look at in a tenant without
    /// command devices (the common case: a batch of measures).
    func outboxEntries(forStates states: [Entity?], tenant: String, at time: Date) -> [OutboxEntry] {
        guard registry.hasCommandDevices(tenant: tenant) else { return [] }
        for index in states.indices.dropLast() {
            if let before = states[index], let after = states[index + 1] {
                queueUpdatedCommands(before: before, after: after, tenant: tenant)
            }
        }
        return []
    }

    private func queueUpdatedCommands(before: Entity, after: Entity, tenant: String) {
        guard let device = registry.device(entityId: after.id, tenant: tenant) else { return }
        let group = registry.group(of: device)
        for command in MeasureTranslator.commands(device, group) {
            let name = context.expandTerm(command.name)
            guard let old = before.attributes[name], let new = after.attributes[name], old != new,
                let value = after.attribute(name)?.value
            else { continue }
            let apikey = device.apikey ?? group?.apikey ?? ""
            let command = DeviceCommand(device: device, apikey: apikey, name: command.name, value: value)
            pending.withLock { $0[tenant, default: []].append(command) }
        }
    }

    func didCommitOutboxEntries(tenant: String) {}

    func transactionDidCommit(tenant: String) {
        let committed = pending.withLock { $0.removeValue(forKey: tenant) } ?? []
        for command in committed { continuation.yield(command) }
    }

    func transactionDidFail(tenant: String) {
        pending.withLock { _ = $0.removeValue(forKey: tenant) }
    }

    func finish() { continuation.finish() }
}
