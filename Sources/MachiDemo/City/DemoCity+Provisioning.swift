public import MachiCore
import OrderedCollections

/// The bodies of the IoT agent provisioning requests (iotagent-node-lib API).
extension DemoCity {
    /// `POST /iot/services` body for one group: `{"services":[{...}]}`.
    public func serviceBody(for group: DeviceGroup) -> JSON {
        let service: JSON = [
            "apikey": .string(group.apikey),
            "resource": .string(group.format.resource),
            "entity_type": .string(group.entityType),
            "protocol": .string(group.format.rawValue),
        ]
        return ["services": [service]]
    }

    /// `POST /iot/devices` body for one device: `{"devices":[{...}]}`.
    public func deviceBody(for device: DemoDevice) -> JSON {
        var object: JSONObject = [
            "device_id": .string(device.id),
            "apikey": .string(device.apikey),
            "entity_name": .string(device.entityID),
            "entity_type": .string(device.entityType),
            "protocol": .string(device.format.rawValue),
            "transport": .string(device.transport.rawValue),
            "attributes": .array(device.attributes.map(Self.json(of:))),
        ]
        if !device.staticAttributes.isEmpty {
            object["static_attributes"] = .array(device.staticAttributes.map(Self.json(of:)))
        }
        if !device.commands.isEmpty {
            object["commands"] = .array(device.commands.map { ["name": .string($0), "type": "command"] })
        }
        return ["devices": [.object(object)]]
    }

    static func json(of attribute: DeviceAttribute) -> JSON {
        var object: JSONObject = [
            "object_id": .string(attribute.objectID),
            "name": .string(attribute.name),
            "type": .string(attribute.type.rawValue),
        ]
        if let unitCode = attribute.unitCode {
            object["metadata"] = ["unitCode": ["type": "Text", "value": .string(unitCode)]]
        }
        return .object(object)
    }

    static func json(of attribute: StaticAttribute) -> JSON {
        ["name": .string(attribute.name), "type": .string(attribute.type.rawValue), "value": attribute.value]
    }
}
