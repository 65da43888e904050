public import Foundation
public import OrderedCollections

/// Decodes a Subscription payload (create: 5.8.1; the result of a PATCH merge: 5.8.2) into a `Subscription`,
/// checking every member against Table 5.2.12-1 and 5.2.14/15/22. Unknown members and the read-only members the
/// broker maintains (`status`, `timesSent`, …) are dropped from the stored `document`.
public struct SubscriptionDecoder {
    /// The request's term expansion.
    public var expand: (String) -> String
    public var maxQueryLength: Int
    /// The deepest `joinLevel` accepted.
    public var maxJoinLevel: Int
    /// The current time, for `expiresAt`.
    public var now: Date

    public init(expand: @escaping (String) -> String, maxQueryLength: Int = 4096, maxJoinLevel: Int = 8, now: Date) {
        self.expand = expand
        self.maxQueryLength = maxQueryLength
        self.maxJoinLevel = maxJoinLevel
        self.now = now
    }

    /// The members a stored `document` keeps, in this order.
    static let members = [
        "id", "type", "subscriptionName", "description", "entities", "watchedAttributes", "notificationTrigger",
        "timeInterval", "q", "geoQ", "csf", "isActive", "notification", "expiresAt", "throttling", "temporalQ",
        "scopeQ", "lang", "datasetId", "jsonldContext",
    ]
    static let notificationMembers = [
        "attributes", "pick", "omit", "sysAttrs", "format", "showChanges", "endpoint", "join", "joinLevel",
    ]
    static let endpointMembers = ["uri", "accept", "timeout", "cooldown", "receiverInfo", "notifierInfo"]

    /// Decodes `object` (without its `@context`).
    /// - Parameters:
    ///   - id: The id to use when the payload has none.
    ///   - context: The creating request's @context value, kept for notifications.
    ///   - createdAt: Creation time (DateTime text); `modifiedAt` is set to it too.
    public func decode(
        _ object: JSONObject,
        generatedId id: @autoclosure () -> String,
        context: JSON,
        createdAt: String
    ) throws(NGSIError) -> Subscription {
        let recording = RecordingExpander(expand: expand)
        let filters = FilterDecoder(expand: recording.expand, maxQueryLength: maxQueryLength)

        guard object["type"]?.stringValue == "Subscription" else {
            throw .badRequestData("A Subscription needs \"type\": \"Subscription\"")
        }
        var document = JSONObject()
        for member in Self.members { if let value = object[member], value != .null { document[member] = value } }

        let subscriptionId: String
        if let value = object["id"] {
            guard let text = value.stringValue, NameRules.isURI(text) else {
                throw .badRequestData("The subscription id must be a URI")
            }
            subscriptionId = text
        } else {
            subscriptionId = id()
            document.updateValue(.string(subscriptionId), forKey: "id", insertingAt: 0)
        }
        for member in ["subscriptionName", "description", "lang"] where object[member] != nil {
            guard object[member]?.stringValue != nil else { throw .badRequestData("\(member) must be a string") }
        }

        var selectors: [EntitySelector]?
        if let entities = object["entities"] {
            guard let list = entities.arrayValue, !list.isEmpty else {
                throw .badRequestData("entities must be a non-empty array of entity selectors")
            }
            selectors = try list.map { element throws(NGSIError) in try filters.selector(element) }
        }
        let watched = try names(object["watchedAttributes"], "watchedAttributes", recording)
        let timeInterval = try positiveNumber(object["timeInterval"], "timeInterval", allowZero: false)
        let throttling = try positiveNumber(object["throttling"], "throttling", allowZero: true)
        if selectors == nil && watched == nil {
            throw .badRequestData("A Subscription needs entities or watchedAttributes")
        }
        if timeInterval != nil {
            if watched != nil { throw .badRequestData("timeInterval cannot be combined with watchedAttributes") }
            if throttling != nil { throw .badRequestData("timeInterval cannot be combined with throttling") }
            if selectors == nil { throw .badRequestData("A periodic Subscription needs entities") }
        }

        var triggers = Set(Subscription.defaultTriggers)
        if let value = object["notificationTrigger"] {
            guard let list = value.arrayValue, !list.isEmpty else {
                throw .badRequestData("notificationTrigger must be a non-empty array")
            }
            triggers = []
            for item in list {
                guard let text = item.stringValue, let trigger = NotificationTrigger(rawValue: text) else {
                    throw .badRequestData("Unknown notificationTrigger \(JSONWriter.string(of: item))")
                }
                triggers.insert(trigger)
            }
        }
        if triggers.contains(.entityUpdated) {
            triggers.formUnion([.attributeCreated, .attributeUpdated, .attributeDeleted])
        }

        let q = try object["q"].map { value throws(NGSIError) in
            guard let text = value.stringValue else { throw .badRequestData("q must be a string") }
            // Clients often percent-encode q as they would in a URL (`name=="Eiffel%20Tower"`).
            return try filters.q(text.contains("%") ? (text.removingPercentEncoding ?? text) : text)
        }
        let geoQ = try object["geoQ"].map { value throws(NGSIError) in try filters.geoQuery(object: value) }
        let scopeQ = try object["scopeQ"].map { value throws(NGSIError) in
            guard let text = value.stringValue else { throw .badRequestData("scopeQ must be a string") }
            return try filters.scope(text)
        }
        if let csf = object["csf"] {
            guard let text = csf.stringValue, (try? QueryExpression.parse(text)) != nil else {
                throw .badRequestData("csf must be a valid query")
            }
        }
        if let temporalQ = object["temporalQ"], case .object = temporalQ {
        } else if object["temporalQ"] != nil {
            throw .badRequestData("temporalQ must be an object")
        }
        var isActive = true
        if let value = object["isActive"] {
            guard let flag = value.boolValue else { throw .badRequestData("isActive must be true or false") }
            isActive = flag
        }
        var expiresAt: String?
        if let value = object["expiresAt"] {
            guard let text = value.stringValue, let date = DateTimeText.parse(text) else {
                throw .badRequestData("expiresAt must be a DateTime")
            }
            guard date > now else { throw .badRequestData("expiresAt must be in the future") }
            expiresAt = DateTimeText.format(date)
        }
        if let value = object["datasetId"] {
            guard let list = FilterDecoder.strings(value), list.allSatisfy(NameRules.isURI) else {
                throw .badRequestData("datasetId must be a URI or an array of URIs")
            }
        }
        if let value = object["jsonldContext"] {
            guard let text = value.stringValue, NameRules.isURI(text) else {
                throw .badRequestData("jsonldContext must be a URI")
            }
        }
        guard let notificationValue = object["notification"] else {
            throw .badRequestData("A Subscription needs notification parameters")
        }
        let (notification, notificationDocument) = try notificationParameters(notificationValue, recording)
        document["notification"] = .object(notificationDocument)

        return Subscription(
            id: subscriptionId,
            selectors: selectors,
            watchedAttributes: watched,
            triggers: triggers,
            q: q,
            geoQ: geoQ,
            scopeQ: scopeQ,
            lang: object["lang"]?.stringValue,
            isActive: isActive,
            expiresAt: expiresAt,
            throttling: throttling,
            timeInterval: timeInterval,
            notification: notification,
            datasetIds: object["datasetId"].flatMap(FilterDecoder.strings),
            document: document,
            context: context,
            terms: recording.terms,
            createdAt: createdAt,
            modifiedAt: createdAt
        )
    }

    private func notificationParameters(
        _ value: JSON,
        _ recording: RecordingExpander
    ) throws(NGSIError) -> (NotificationParameters, JSONObject) {
        guard case .object(let object) = value else { throw .badRequestData("notification must be an object") }
        var document = JSONObject()
        for member in Self.notificationMembers {
            if let value = object[member], value != .null { document[member] = value }
        }
        let attributes = try names(object["attributes"], "notification.attributes", recording)
        var format = NotificationFormat.normalized
        if let value = object["format"] {
            switch value.stringValue {
            case "normalized": format = .normalized
            case "keyValues", "simplified": format = .keyValues
            case "concise": format = .concise
            default: throw .badRequestData("notification.format must be normalized, keyValues, simplified or concise")
            }
        }
        let showChanges = try flag(object["showChanges"], "notification.showChanges")
        if showChanges && format == .keyValues {
            throw .badRequestData("showChanges cannot be used with the keyValues format")
        }
        let sysAttrs = try flag(object["sysAttrs"], "notification.sysAttrs")
        let pick = try object["pick"].map { value throws(NGSIError) in try projection(value, "pick", recording) }
        let omit = try object["omit"].map { value throws(NGSIError) in try projection(value, "omit", recording) }
        if pick != nil && omit != nil { throw .badRequestData("pick and omit cannot be used together") }
        if attributes != nil && (pick != nil || omit != nil) {
            throw .badRequestData("notification.attributes cannot be combined with pick or omit")
        }
        if let pick, let omit, !Set(pick.names).isDisjoint(with: omit.names) {
            throw .badRequestData("pick and omit name the same member")
        }
        var join: EntityEncoder.Join?
        if let value = object["join"] {
            guard let text = value.stringValue, let parsed = EntityEncoder.Join(rawValue: text) else {
                throw .badRequestData("notification.join must be inline or flat")
            }
            join = parsed
        }
        var joinLevel = 1
        if let value = object["joinLevel"] {
            guard let number = value.numberValue, number == number.rounded(), number >= 1,
                number <= Double(maxJoinLevel)
            else { throw .badRequestData("notification.joinLevel must be an integer from 1 to \(maxJoinLevel)") }
            joinLevel = Int(number)
        }
        guard let endpointValue = object["endpoint"] else {
            throw .badRequestData("notification needs an endpoint")
        }
        let (endpoint, endpointDocument) = try self.endpoint(endpointValue)
        document["endpoint"] = .object(endpointDocument)
        var parameters = NotificationParameters(
            attributes: attributes,
            format: format,
            showChanges: showChanges,
            sysAttrs: sysAttrs,
            endpoint: endpoint
        )
        parameters.pick = pick?.expanded(recording.expand)
        parameters.omit = omit?.expanded(recording.expand)
        parameters.join = join
        parameters.joinLevel = joinLevel
        return (parameters, document)
    }

    private func endpoint(_ value: JSON) throws(NGSIError) -> (NotificationEndpoint, JSONObject) {
        guard case .object(let object) = value else { throw .badRequestData("notification.endpoint must be an object") }
        var document = JSONObject()
        for member in Self.endpointMembers {
            if let value = object[member], value != .null { document[member] = value }
        }
        guard let uri = object["uri"]?.stringValue, NameRules.isURI(uri),
            let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
            NotificationEndpoint.schemes.contains(scheme), components.host?.isEmpty == false
        else {
            throw .badRequestData("notification.endpoint.uri must be an http, https, mqtt or mqtts URI with a host")
        }
        var endpoint = NotificationEndpoint(uri: uri)
        if let accept = object["accept"] {
            guard let text = accept.stringValue,
                ["application/json", "application/ld+json", "application/geo+json"].contains(text)
            else {
                throw .badRequestData(
                    "notification.endpoint.accept must be application/json, application/ld+json or application/geo+json"
                )
            }
            endpoint.accept = text
        }
        endpoint.timeout = try positiveNumber(object["timeout"], "notification.endpoint.timeout", allowZero: false)
        endpoint.cooldown = try positiveNumber(object["cooldown"], "notification.endpoint.cooldown", allowZero: false)
        endpoint.receiverInfo = try pairs(object["receiverInfo"], "receiverInfo")
        endpoint.notifierInfo = try pairs(object["notifierInfo"], "notifierInfo")
        return (endpoint, document)
    }

    private func pairs(_ value: JSON?, _ member: String) throws(NGSIError) -> [KeyValuePair] {
        guard let value else { return [] }
        guard let list = value.arrayValue else { throw .badRequestData("\(member) must be an array of {key, value}") }
        var pairs: [KeyValuePair] = []
        for item in list {
            guard case .object(let pair) = item, let key = pair["key"]?.stringValue, !key.isEmpty,
                let text = pair["value"]?.stringValue, pair.count == 2
            else { throw .badRequestData("Every \(member) element must be {\"key\": string, \"value\": string}") }
            pairs.append(KeyValuePair(key: key, value: text))
        }
        return pairs
    }

    private func names(_ value: JSON?, _ member: String, _ recording: RecordingExpander) throws(NGSIError) -> [String]?
    {
        guard let value else { return nil }
        guard let list = value.arrayValue, !list.isEmpty else {
            throw .badRequestData("\(member) must be a non-empty array of names")
        }
        var names: [String] = []
        for item in list {
            guard let name = item.stringValue, NameRules.isValidName(name) else {
                throw .badRequestData("\(member) has an invalid name \(JSONWriter.string(of: item))")
            }
            names.append(recording.expand(name))
        }
        return names
    }

    private func projection(
        _ value: JSON,
        _ name: String,
        _ recording: RecordingExpander
    ) throws(NGSIError) -> Projection {
        guard let list = FilterDecoder.strings(value), !list.isEmpty else {
            throw .badRequestData("notification.\(name) must be a non-empty array of strings")
        }
        var members: [Projection.Member] = []
        for item in list { members += try Projection.parse(item, parameter: name).members }
        // Record the names: the expansion itself happens on the whole projection.
        _ = Projection(members: members).expanded(recording.expand)
        return Projection(members: members)
    }

    private func positiveNumber(_ value: JSON?, _ member: String, allowZero: Bool) throws(NGSIError) -> Double? {
        guard let value else { return nil }
        guard let number = value.numberValue, number.isFinite, allowZero ? number >= 0 : number > 0 else {
            throw .badRequestData("\(member) must be a \(allowZero ? "non-negative" : "positive") number")
        }
        return number
    }

    private func flag(_ value: JSON?, _ member: String) throws(NGSIError) -> Bool {
        guard let value else { return false }
        guard let flag = value.boolValue else { throw .badRequestData("\(member) must be true or false") }
        return flag
    }
}

/// Wraps a term expansion and remembers every name it expanded.
final class RecordingExpander {
    private let base: (String) -> String
    private(set) var terms: [String: String] = [:]

    init(expand: @escaping (String) -> String) { self.base = expand }

    func expand(_ name: String) -> String {
        if let known = terms[name] { return known }
        let iri = base(name)
        terms[name] = iri
        return iri
    }
}
