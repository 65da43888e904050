import MachiCore
import OrderedCollections
import Synchronization

/// The initial entity every message of a device needs (`MeasureTranslator.initialEntity`: created from it when
/// missing, completed with its static attributes), decoded once for the usual device: one with no static or command
/// attributes, whose initial entity is its id and type alone and differs from message to message only by its time.
/// A device with attributes is decoded every time, as their times must be the message's.
final class InitialEntities: Sendable {
    private struct Key: Hashable {
        var id: String
        var type: String
    }

    /// The most bare entities kept; all are dropped when it is reached (they are decoded again as needed).
    static let capacity = 100_000

    private let bare = Mutex<[Key: Entity]>([:])
    private let translator: MeasureTranslator

    init(translator: MeasureTranslator) { self.translator = translator }

    /// The device's initial entity at `now`, exactly as `MeasureTranslator.initialEntity` makes it.
    func entity(for device: IoTDevice, group: ServiceGroup?, now: String) throws(IoTError) -> Entity {
        guard device.staticAttributes.isEmpty, device.commands.isEmpty, group?.staticAttributes.isEmpty ?? true,
            group?.commands.isEmpty ?? true
        else { return try translator.initialEntity(for: device, group: group, now: now) }
        let key = Key(id: device.entityName, type: device.entityType)
        if var entity = bare.withLock({ $0[key] }) {
            entity.createdAt = now
            entity.modifiedAt = now
            return entity
        }
        let entity = try translator.initialEntity(for: device, group: group, now: now)
        if entity.attributes.isEmpty {
            bare.withLock { entities in
                if entities.count >= Self.capacity { entities.removeAll() }
                entities[key] = entity
            }
        }
        return entity
    }
}
