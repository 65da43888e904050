public import Foundation
public import OrderedCollections

extension NotificationCause {
    /// The cause as stored in the outbox: entities in their stored form.
    public var payload: JSON {
        var object: JSONObject = ["reason": .string(reason.rawValue), "entity": entity.storedForm]
        if let previous { object["previous"] = previous.storedForm }
        if !deletedAttributes.isEmpty { object["deleted"] = .array(deletedAttributes.map(JSON.string)) }
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
            deletedAttributes: payload["deleted"]?.arrayValue?.compactMap(\.stringValue) ?? []
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

    /// One entity of `data` for `cause`.
    public func entity(for cause: NotificationCause, at time: Date) -> JSONObject {
        var entity = cause.entity
        let parameters = subscription.notification
        for name in cause.deletedAttributes {
            let kind = cause.previous?.attributes[name]?.first?.kind ?? .property
            entity.attributes[name] = [
                Attribute(members: ["type": .string(kind.rawValue), kind.valueMember: .string("urn:ngsi-ld:null")])
            ]
        }
        if parameters.showChanges, let previous = cause.previous {
            for (name, instances) in entity.attributes {
                guard let old = previous.attributes[name] else { continue }
                entity.attributes[name] = instances.map { instance in
                    guard let kind = instance.kind,
                        let before = old.first(where: { $0.datasetId == instance.datasetId }),
                        let oldValue = before.members[kind.valueMember], oldValue != instance.members[kind.valueMember]
                    else { return instance }
                    var changed = instance
                    changed.members[Self.previousMember(kind)] = oldValue
                    return changed
                }
            }
        }
        return encoder.encode(entity).merging(
            cause.reason == .entityDeleted ? ["deletedAt": .string(DateTimeText.format(time))] : [:],
            uniquingKeysWith: { current, _ in current }
        )
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
