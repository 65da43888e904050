import Foundation
import MachiCore
import MachiStore
import OrderedCollections

/// Turns provisioning and measures into NGSI-LD, the way FIWARE's IoT agents do in NGSI-LD mode: each mapped
/// measure becomes its attribute (a Property, GeoProperty or Relationship by the FIWARE `type`), with the device's
/// timestamp as `observedAt` and `unitCode` from the metadata. Names are expanded with the agent's @context.
///
/// Unlike the reference agents, device timestamps are never dropped and static attributes are never wiped: a measure
/// updates only its own attributes.
struct MeasureTranslator: Sendable {
    /// The @context of the agent's attribute names and entity types (the core context by default).
    let context: JSONLDContext

    /// The entity a device stands for when it is provisioned: its type, static attributes and command attributes
    /// (`<cmd>`, `<cmd>_status` `UNKNOWN`, `<cmd>_info`).
    func initialEntity(for device: IoTDevice, group: ServiceGroup?, now: String) throws(IoTError) -> Entity {
        var object: JSONObject = ["id": .string(device.entityName), "type": .string(device.entityType)]
        for mapping in Self.staticAttributes(device, group) {
            object[mapping.name] = try attribute(mapping, value: .json(mapping.value ?? .null), observedAt: nil)
        }
        for command in Self.commands(device, group) {
            object[command.name] = ["type": "Property", "value": ""]
            object[command.name + "_status"] = ["type": "Property", "value": "UNKNOWN"]
            object[command.name + "_info"] = ["type": "Property", "value": ""]
        }
        do {
            return try EntityDecoder(context: context, now: now).entity(.object(object))
        } catch {
            throw IoTError(
                .wrongSyntax,
                "device \(device.deviceId) does not make a valid NGSI-LD entity: \(error.detail)"
            )
        }
    }

    /// What translating a device's measures needs from its provisioning, worked out once per device (the
    /// `DeviceRegistry` keeps it until the device or a group changes) instead of once per message.
    struct Plan: Sendable {
        /// A measure's mapping and, if it can take the direct path, what that needs.
        struct MappedMeasure: Sendable {
            var mapping: AttributeMapping
            var direct: DirectPath?
        }

        /// By measure key (`object_id`, else the name): the device's mappings first, then its group's.
        var measures: [String: MappedMeasure]
        /// Measures without a mapping are dropped (`explicitAttrs`), not written as Text attributes.
        var explicit: Bool
        /// A measure group without a timestamp is observed at its reception (`timestamp`).
        var stampsReception: Bool
    }

    /// The plan of a device in its group.
    func plan(device: IoTDevice, group: ServiceGroup?) -> Plan {
        Plan(
            measures: Dictionary(
                Self.activeAttributes(device, group).map {
                    ($0.measureKey, Plan.MappedMeasure(mapping: $0, direct: DirectPath($0, context: context)))
                },
                uniquingKeysWith: { first, _ in first }
            ),
            explicit: device.explicitAttrs ?? group?.explicitAttrs ?? false,
            stampsReception: device.timestamp ?? group?.timestamp ?? false
        )
    }

    /// One fragment per measure group, in order (each becomes its own attribute instances in the temporal store).
    /// - Throws: `BAD_PAYLOAD` if a value does not fit its attribute's type; then nothing is written.
    func fragments(
        for groups: [MeasureGroup],
        device: IoTDevice,
        group: ServiceGroup?,
        receivedAt: String
    ) throws(IoTError) -> [EntityFragment] {
        try fragments(for: groups, plan: plan(device: device, group: group), device: device, receivedAt: receivedAt)
    }

    /// One fragment per measure group, translated by the device's `plan`.
    func fragments(
        for groups: [MeasureGroup],
        plan: Plan,
        device: IoTDevice,
        receivedAt: String
    ) throws(IoTError) -> [EntityFragment] {
        let decoder = EntityDecoder(context: context, now: receivedAt)
        var fragments: [EntityFragment] = []
        fragments.reserveCapacity(groups.count)
        for measureGroup in groups {
            let observedAt: String?
            if let timestamp = measureGroup.timestamp {
                guard let normalized = DateTimeText.normalized(timestamp) else {
                    throw IoTError(.badPayload, "timestamp \(timestamp) is not an ISO 8601 date-time")
                }
                observedAt = normalized
            } else {
                observedAt = plan.stampsReception ? receivedAt : nil
            }
            var object: JSONObject = [:]
            var direct = EntityFragment()
            for (key, value) in measureGroup.values {
                if let measure = plan.measures[key] {
                    let mapping = measure.mapping
                    if let path = measure.direct,
                        let attribute = try plainProperty(
                            path,
                            mapping,
                            value: value,
                            observedAt: observedAt,
                            now: receivedAt
                        )
                    {
                        direct.attributes[path.expandedName] = [attribute]
                        direct.names[path.expandedName] = mapping.name
                    } else {
                        object[mapping.name] = try attribute(mapping, value: value, observedAt: observedAt)
                    }
                } else if !plan.explicit {
                    object[key] = try attribute(
                        AttributeMapping(name: key, type: "Text"),
                        value: value,
                        observedAt: observedAt
                    )
                }
            }
            guard !object.isEmpty || !direct.attributes.isEmpty else { continue }
            var fragment = direct
            if !object.isEmpty {
                do {
                    let decoded = try decoder.fragment(.object(object), nulls: .reject)
                    for (name, instances) in decoded.attributes { fragment.attributes[name] = instances }
                    fragment.names.merge(decoded.names) { _, decoded in decoded }
                } catch {
                    throw IoTError(
                        .badPayload,
                        "the measures of \(device.deviceId) are not valid NGSI-LD: \(error.detail)"
                    )
                }
            }
            fragments.append(fragment)
        }
        return fragments
    }

    /// A name the decoder would take as it is: letters, digits and `_`, starting with a letter, and not one of the
    /// entity's own members.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        guard
            !["id", "type", "scope", "createdAt", "modifiedAt", "deletedAt", "observedAt", "expiresAt"].contains(name)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
        }
    }

    /// What the direct path needs of a mapping, worked out once per device (`Plan`) instead of once per measure; `nil`
    /// when the mapping never takes it (a type other than number, text or boolean, a name the decoder must check,
    /// metadata other than a text `unitCode`).
    struct DirectPath: Sendable {
        let type: String
        let expandedName: String
        let unitCode: String?

        init?(_ mapping: AttributeMapping, context: JSONLDContext) {
            let type = mapping.type.lowercased()
            switch type {
            case "number", "float", "double", "integer", "int", "decimal", "numeric", "boolean", "bool", "text",
                "string":
                break
            default:
                return nil
            }
            guard MeasureTranslator.isPlainName(mapping.name) else { return nil }
            var unitCode: String?
            for (key, meta) in mapping.metadata {
                guard key == "unitCode", case .string(let code) = meta["value"] ?? meta else { return nil }
                unitCode = code
            }
            self.type = type
            self.expandedName = context.expandTerm(mapping.name)
            self.unitCode = unitCode
        }
    }

    /// The common case built directly, as `EntityDecoder` would build it: a number, text or boolean Property with
    /// at most a text `unitCode`. `nil` for anything else (the decoder then validates it).
    func plainProperty(
        _ mapping: AttributeMapping,
        value: MeasureValue,
        observedAt: String?,
        now: String
    ) throws(IoTError) -> Attribute? {
        guard let path = DirectPath(mapping, context: context) else { return nil }
        return try plainProperty(path, mapping, value: value, observedAt: observedAt, now: now)
    }

    func plainProperty(
        _ path: DirectPath,
        _ mapping: AttributeMapping,
        value: MeasureValue,
        observedAt: String?,
        now: String
    ) throws(IoTError) -> Attribute? {
        let propertyValue = try Self.propertyValue(path.type, value, mapping)
        switch propertyValue {
        case .number, .bool: break
        case .string(let text) where !text.isEmpty: break
        default: return nil
        }
        var members: JSONObject = ["type": "Property", "value": propertyValue]
        members.reserveCapacity(6)
        if let unitCode = path.unitCode { members["unitCode"] = .string(unitCode) }
        if let observedAt { members["observedAt"] = .string(observedAt) }
        members["createdAt"] = .string(now)
        members["modifiedAt"] = .string(now)
        return Attribute(members: members)
    }

    /// The change that writes `fragments` to the device's entity: creates it (from `initial`) if it is missing,
    /// adds static attributes it lacks, and updates only the measured attributes.
    static func change(entity initial: Entity, fragment: EntityFragment, now: String) -> EntityChange {
        EntityChange(id: initial.id) { existing in
            guard var entity = existing else {
                var created = initial
                _ = created.update(fragment, now: now)
                return created
            }
            for (name, instances) in initial.attributes where entity.attributes[name] == nil {
                entity.attributes[name] = instances
            }
            _ = entity.update(fragment, now: now)
            return entity
        }
    }

    // MARK: Values

    /// The normalized NGSI-LD attribute for a FIWARE attribute and a value.
    func attribute(_ mapping: AttributeMapping, value: MeasureValue, observedAt: String?) throws(IoTError) -> JSON {
        var object: JSONObject
        let type = mapping.type.lowercased()
        switch type {
        case "geo:json", "geoproperty", "geo:point", "point", "linestring", "polygon", "multipoint",
            "multilinestring", "multipolygon":
            object = [
                "type": "GeoProperty", "value": try Self.geometry(value, latitudeFirst: type == "geo:point", mapping),
            ]
        case "relationship":
            guard let target = Self.text(value) else {
                throw IoTError(.badPayload, "the value of relationship \(mapping.name) must be a URI")
            }
            object = ["type": "Relationship", "object": .string(target)]
        default:
            object = ["type": "Property", "value": try Self.propertyValue(type, value, mapping)]
        }
        for (key, meta) in mapping.metadata {
            let metaValue = meta["value"] ?? meta
            if key == "unitCode" {
                guard case .string(let code) = metaValue else {
                    throw IoTError(.wrongSyntax, "the unitCode metadata of \(mapping.name) must be a text")
                }
                object["unitCode"] = .string(code)
            } else if key != "TimeInstant" {
                object[key] = ["type": "Property", "value": metaValue]
            }
        }
        if let observedAt { object["observedAt"] = .string(observedAt) }
        return .object(object)
    }

    static func propertyValue(
        _ type: String,
        _ value: MeasureValue,
        _ mapping: AttributeMapping
    ) throws(IoTError) -> JSON {
        switch type {
        case "number", "float", "double", "integer", "int", "decimal", "numeric":
            switch value {
            case .json(.number(let number)): return .number(number)
            case .text(let text), .json(.string(let text)):
                if let number = Double(text) ?? Double(text.trimmingASCIIWhitespace()), number.isFinite {
                    return .number(number)
                }
            default: break
            }
            throw IoTError(.badPayload, "the value of \(mapping.measureKey) is not a number")
        case "boolean", "bool":
            switch value {
            case .json(.bool(let flag)): return .bool(flag)
            case .text("true"), .text("1"), .json(.string("true")): return .bool(true)
            case .text("false"), .text("0"), .json(.string("false")): return .bool(false)
            default: throw IoTError(.badPayload, "the value of \(mapping.measureKey) is not a boolean")
            }
        case "datetime", "date", "iso8601":
            guard let text = text(value), let date = DateTimeText.parse(text) else {
                throw IoTError(.badPayload, "the value of \(mapping.measureKey) is not an ISO 8601 date-time")
            }
            return ["@type": "DateTime", "@value": .string(DateTimeText.format(date))]
        default:
            switch value {
            case .text(let text): return .string(text)
            case .json(.null): throw IoTError(.badPayload, "the value of \(mapping.measureKey) is null")
            case .json(let json): return json
            }
        }
    }

    /// A GeoJSON geometry from a GeoJSON object, a `[lon, lat]` array or a `"lon, lat"` text (`geo:point` texts are
    /// `"lat, lon"`, as in NGSI-v2).
    static func geometry(
        _ value: MeasureValue,
        latitudeFirst: Bool,
        _ mapping: AttributeMapping
    ) throws(IoTError) -> JSON {
        var pair: [Double]?
        switch value {
        case .json(.object(let object)): return .object(object)
        case .json(.array(let elements)): pair = elements.compactMap(\.numberValue)
        case .text(let text), .json(.string(let text)):
            pair = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        default: break
        }
        guard var pair, pair.count == 2 else {
            throw IoTError(.badPayload, "the value of \(mapping.measureKey) is not a geometry")
        }
        if latitudeFirst { pair.swapAt(0, 1) }
        return ["type": "Point", "coordinates": .array(pair.map(JSON.number))]
    }

    static func text(_ value: MeasureValue) -> String? {
        switch value {
        case .text(let text), .json(.string(let text)): text
        default: nil
        }
    }

    // MARK: Device and group together

    /// Device mappings first, then the group's for measures the device does not map.
    static func activeAttributes(_ device: IoTDevice, _ group: ServiceGroup?) -> [AttributeMapping] {
        let own = Set(device.attributes.map(\.measureKey))
        return device.attributes + (group?.attributes ?? []).filter { !own.contains($0.measureKey) }
    }

    static func staticAttributes(_ device: IoTDevice, _ group: ServiceGroup?) -> [AttributeMapping] {
        let own = Set(device.staticAttributes.map(\.name))
        return (group?.staticAttributes ?? []).filter { !own.contains($0.name) } + device.staticAttributes
    }

    static func commands(_ device: IoTDevice, _ group: ServiceGroup?) -> [AttributeMapping] {
        let own = Set(device.commands.map(\.name))
        return device.commands + (group?.commands ?? []).filter { !own.contains($0.name) }
    }
}
