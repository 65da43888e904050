public import Foundation
public import OrderedCollections

extension NotificationCause {
    /// The cause as stored in the outbox: entities in their stored form.
    public var payload: JSON {
        var object: JSONObject = ["reason": .string(reason.rawValue), "entity": entity.storedForm]
        if let previous { object["previous"] = previous.storedForm }
        if !deletedInstances.isEmpty {
            object["deleted"] = .array(
                deletedInstances.map { instance in
                    var item: JSONObject = ["name": .string(instance.name)]
                    if let datasetId = instance.datasetId { item["datasetId"] = .string(datasetId) }
                    return .object(item)
                }
            )
        }
        if entityDeleted { object["entityDeleted"] = true }
        return .object(object)
    }

    /// Decodes `payload`.
    public init(payload: JSON) throws(NGSIError) {
        guard let reasonText = payload["reason"]?.stringValue, let reason = NotificationTrigger(rawValue: reasonText),
            let entityForm = payload["entity"]
        else { throw NGSIError(.internalError, "a stored notification is damaged") }
        self.init(
            reason: reason,
            entity: try Entity(storedForm: entityForm),
            previous: try payload["previous"].map { form throws(NGSIError) in try Entity(storedForm: form) },
            deletedInstances: payload["deleted"]?.arrayValue?.compactMap { item in
                item["name"]?.stringValue.map { DeletedInstance(name: $0, datasetId: item["datasetId"]?.stringValue) }
            } ?? [],
            entityDeleted: payload["entityDeleted"]?.boolValue ?? false
        )
    }
}

/// Renders the Notification (5.3.1) a subscription receives for a cause, compacted with the subscription's
/// context.
public struct NotificationRenderer {
    public var subscription: Subscription
    public var context: JSONLDContext

    public init(subscription: Subscription, context: JSONLDContext) {
        self.subscription = subscription
        self.context = context
    }

    /// The Notification body, without `@context` (the transport adds it, or a Link header).
    public func notification(id: String, data: [JSONObject], reason: String?, at time: Date) -> JSONObject {
        var body: JSONObject = [
            "id": .string(id), "type": "Notification", "subscriptionId": .string(subscription.id),
            "notifiedAt": .string(DateTimeText.format(time)), "data": .array(data.map(JSON.object)),
        ]
        if let reason { body["triggerReason"] = .string(reason) }
        return body
    }

    /// The entities of `data` for `cause`: the changed entity and, with `join=flat`, the entities it links to
    /// (from `linked`, by id).
    public func entities(for cause: NotificationCause, at time: Date, linked: [String: Entity] = [:]) -> [JSONObject] {
        let parameters = subscription.notification
        var entity = cause.entity
        if cause.entityDeleted { entity.attributes = [:] }
        for deleted in cause.deletedInstances {
            let before = cause.previous?.attributes[deleted.name]?.first { $0.datasetId == deleted.datasetId }
            entity.attributes[deleted.name, default: []].append(nullInstance(replacing: before, deleted, at: time))
        }
        if parameters.showChanges, let previous = cause.previous, !cause.entityDeleted {
            for (name, instances) in entity.attributes {
                guard let old = previous.attributes[name] else { continue }
                entity.attributes[name] = instances.map { instance in
                    guard let kind = instance.kind, instance.members[kind.valueMember] != Self.null(kind),
                        let before = old.first(where: { $0.datasetId == instance.datasetId }),
                        let oldValue = before.members[kind.valueMember], oldValue != instance.members[kind.valueMember]
                    else { return instance }
                    var changed = instance
                    changed.members[Self.previousMember(kind)] = previousValue(oldValue, kind)
                    return changed
                }
            }
        }
        let encoder = self.encoder
        var objects =
            parameters.join == .flat
            ? encoder.flatten([entity], linked: linked) : [encoder.encode(entity, linked: linked)]
        if cause.entityDeleted, !objects.isEmpty {
            objects[0] = Self.inserting("deletedAt", .string(DateTimeText.format(time)), after: "type", in: objects[0])
        }
        // The entity's own timestamps with sysAttrs, in every format (the encoder leaves them out of keyValues).
        if parameters.sysAttrs, !objects.isEmpty {
            if let createdAt = cause.entity.createdAt, objects[0]["createdAt"] == nil {
                objects[0]["createdAt"] = .string(createdAt)
            }
            if let modifiedAt = cause.entity.modifiedAt, objects[0]["modifiedAt"] == nil {
                objects[0]["modifiedAt"] = .string(modifiedAt)
            }
        }
        return objects
    }

    /// The instance that stands for a deleted one: its kind's value member set to the NGSI-LD Null, with the old
    /// value as `previous…` when `showChanges` asks for it, and `deletedAt` with `sysAttrs`.
    func nullInstance(
        replacing before: Attribute?,
        _ deleted: NotificationCause.DeletedInstance,
        at time: Date
    ) -> Attribute {
        let kind = before?.kind ?? .property
        var members: JSONObject = ["type": .string(kind.rawValue)]
        if let datasetId = deleted.datasetId { members["datasetId"] = .string(datasetId) }
        if subscription.notification.showChanges, let old = before?.members[kind.valueMember] {
            members[Self.previousMember(kind)] = previousValue(old, kind)
        }
        members[kind.valueMember] = Self.null(kind)
        if subscription.notification.sysAttrs {
            for member in ["createdAt", "modifiedAt"] {
                if let value = before?.members[member] { members[member] = value }
            }
            members["deletedAt"] = .string(DateTimeText.format(time))
        }
        return Attribute(members: members)
    }

    /// The NGSI-LD Null in a kind's value member.
    static func null(_ kind: AttributeKind) -> JSON {
        kind == .languageProperty ? ["@none": "urn:ngsi-ld:null"] : "urn:ngsi-ld:null"
    }

    /// A previous value as the encoder would show the current one (vocabulary IRIs compacted).
    func previousValue(_ value: JSON, _ kind: AttributeKind) -> JSON {
        guard kind == .vocabProperty else { return value }
        switch value {
        case .string(let iri): return .string(context.compactIRI(iri))
        case .array(let items):
            return .array(items.map { $0.stringValue.map { .string(context.compactIRI($0)) } ?? $0 })
        default: return value
        }
    }

    static func inserting(_ key: String, _ value: JSON, after anchor: String, in object: JSONObject) -> JSONObject {
        var result = JSONObject()
        for (name, member) in object {
            result[name] = member
            if name == anchor { result[key] = value }
        }
        if result[key] == nil { result[key] = value }
        return result
    }

    /// The entities of a periodic notification.
    public func entities(_ entities: [Entity]) -> [JSONObject] { entities.map(encoder.encode) }

    var encoder: EntityEncoder {
        let parameters = subscription.notification
        var encoder = EntityEncoder(
            context: context,
            format: parameters.format.encoderFormat,
            sysAttrs: parameters.sysAttrs,
            lang: subscription.lang,
            attributeSelection: parameters.attributes.map(Set.init),
            datasetIds: subscription.datasetIds.map(Set.init)
        )
        encoder.project(pick: parameters.pick, omit: parameters.omit)
        encoder.join = parameters.join
        encoder.joinLevel = parameters.joinLevel
        return encoder
    }

    /// `previousValue`, `previousObject`, … (4.5.x `showChanges`).
    static func previousMember(_ kind: AttributeKind) -> String {
        switch kind {
        case .relationship: "previousObject"
        case .languageProperty: "previousLanguageMap"
        case .jsonProperty: "previousJson"
        case .vocabProperty: "previousVocab"
        case .listRelationship: "previousObjectList"
        case .listProperty: "previousValueList"
        default: "previousValue"
        }
    }
}

extension NotificationFormat {
    var encoderFormat: EntityEncoder.Format {
        switch self {
        case .normalized: .normalized
        case .keyValues: .keyValues
        case .concise: .concise
        }
    }
}
