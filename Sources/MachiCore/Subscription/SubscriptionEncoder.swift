public import Foundation
public import OrderedCollections

/// Renders a subscription for retrieval (5.8.3/5.8.4): the client's document with names compacted by the
/// requesting @context, plus what the broker maintains (`status`, the default `notificationTrigger`, the
/// notification status members) and, with `sysAttrs`, `createdAt` / `modifiedAt`.
public struct SubscriptionEncoder {
    public var context: JSONLDContext
    public var sysAttrs: Bool

    public init(context: JSONLDContext, sysAttrs: Bool = false) {
        self.context = context
        self.sysAttrs = sysAttrs
    }

    public func encode(_ subscription: Subscription, status: SubscriptionStatus, at time: Date) -> JSONObject {
        let compact = { (name: String) -> JSON in
            .string(context.compactIRI(subscription.terms[name] ?? name))
        }
        var object = JSONObject()
        for (member, value) in subscription.document {
            switch member {
            case "watchedAttributes":
                object[member] = .array(value.arrayValue?.compactMap(\.stringValue).map(compact) ?? [])
            case "notification":
                object[member] = .object(notification(value, subscription: subscription, status: status, compact))
            case "entities":
                object[member] = .array(
                    value.arrayValue?.map { selector in
                        guard case .object(var members) = selector, let type = members["type"]?.stringValue,
                            NameRules.isValidName(type)
                        else { return selector }
                        members["type"] = compact(type)
                        return .object(members)
                    } ?? []
                )
            case "geoQ":
                guard case .object(var geo) = value else { fallthrough }
                if let property = geo["geoproperty"]?.stringValue { geo["geoproperty"] = compact(property) }
                object[member] = .object(geo)
            default:
                object[member] = value
            }
        }
        if object["notificationTrigger"] == nil {
            object["notificationTrigger"] = .array(Subscription.defaultTriggers.map { .string($0.rawValue) })
        }
        object["status"] = .string(subscription.status(at: time))
        if sysAttrs {
            object["createdAt"] = .string(subscription.createdAt)
            object["modifiedAt"] = .string(subscription.modifiedAt)
        }
        return object
    }

    private func notification(
        _ value: JSON,
        subscription: Subscription,
        status: SubscriptionStatus,
        _ compact: (String) -> JSON
    ) -> JSONObject {
        guard case .object(var members) = value else { return [:] }
        if let names = members["attributes"]?.arrayValue {
            members["attributes"] = .array(names.compactMap(\.stringValue).map(compact))
        }
        if status.timesSent > 0 {
            members["timesSent"] = .number(Double(status.timesSent))
            members["status"] = .string(status.lastFailed ? "failed" : "ok")
        }
        if status.timesFailed > 0 { members["timesFailed"] = .number(Double(status.timesFailed)) }
        if let time = status.lastNotification { members["lastNotification"] = .string(time) }
        if let time = status.lastSuccess { members["lastSuccess"] = .string(time) }
        if let time = status.lastFailure { members["lastFailure"] = .string(time) }
        return members
    }
}
