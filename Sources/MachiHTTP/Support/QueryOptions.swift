import Foundation
import Hummingbird
import HummingbirdCore
import MachiCore
import OrderedCollections

/// The URL parameters shared by retrieve and query: representation, projection, `lang`, `options`, joins.
struct RepresentationOptions {
    var format: EntityEncoder.Format = .normalized
    var sysAttrs = false
    var lang: String?
    var attrs: [String]?
    var pick: Projection?
    var omit: Projection?
    var geometryProperty: String?
    var datasetIds: [String]?
    var join: EntityEncoder.Join?
    var joinLevel = 1

    /// The deepest `joinLevel` accepted.
    static let maxJoinLevel = 10

    init(_ parameters: FlatDictionary<Substring, Substring>) throws(NGSIError) {
        var formats: [EntityEncoder.Format] = []
        for option in Self.list(parameters, "options") ?? [] {
            switch option {
            case "keyValues", "simplified": formats.append(.keyValues)
            case "concise": formats.append(.concise)
            case "normalized": formats.append(.normalized)
            case "sysAttrs": sysAttrs = true
            case "noOverwrite", "replace", "update", "temporalValues", "audit", "aggregatedValues", "splitEntities":
                break
            default: throw .invalidRequest("Unknown option \"\(option)\"")
            }
        }
        if Set(formats.map { "\($0)" }).count > 1 {
            throw .badRequestData("Conflicting representations requested in options")
        }
        format = formats.first ?? .normalized
        if let value = parameters["format"] {
            // `format` takes precedence over a representation in `options`.
            format = try Self.format(String(value))
        }
        lang = parameters["lang"].map(String.init)
        attrs = Self.list(parameters, "attrs")
        pick = try parameters["pick"].map { value throws(NGSIError) in try Projection.parse(String(value)) }
        omit = try parameters["omit"].map { value throws(NGSIError) in
            try Projection.parse(String(value), parameter: "omit")
        }
        geometryProperty = parameters["geometryProperty"].map(String.init)
        datasetIds = Self.list(parameters, "datasetId")
        if let value = parameters["join"] { join = try Self.join(String(value)) }
        if let value = parameters["joinLevel"] { joinLevel = try Self.joinLevel(.string(String(value))) }
        for name in attrs ?? [] where !NameRules.isValidName(name) {
            throw .badRequestData("Invalid attribute name \"\(name)\"")
        }
        try validate()
    }

    /// Checks the combinations: `pick` excludes `omit` and `attrs`, `{…}` needs `join` and at most `joinLevel` hops.
    func validate() throws(NGSIError) {
        if pick != nil, omit != nil { throw .badRequestData("pick and omit cannot be used together") }
        if attrs != nil, pick != nil || omit != nil {
            throw .badRequestData("attrs cannot be combined with pick or omit; use pick")
        }
        let depth = max(pick?.depth ?? 0, omit?.depth ?? 0)
        if depth > 0 {
            guard join != nil else {
                throw .badRequestData("A Linked Entity projection (name{…}) needs the join parameter")
            }
            guard depth <= joinLevel else {
                throw .badRequestData(
                    "The projection addresses \(depth) Linked Entity levels, more than joinLevel \(joinLevel)"
                )
            }
        }
    }

    static func format(_ value: String) throws(NGSIError) -> EntityEncoder.Format {
        switch value {
        case "keyValues", "simplified": .keyValues
        case "concise": .concise
        case "normalized": .normalized
        default: throw .invalidRequest("Unknown format \"\(value)\"")
        }
    }

    static func join(_ value: String) throws(NGSIError) -> EntityEncoder.Join {
        guard let join = EntityEncoder.Join(rawValue: value) else {
            throw .badRequestData("join must be inline or flat")
        }
        return join
    }

    static func joinLevel(_ value: JSON) throws(NGSIError) -> Int {
        let level: Int? =
            switch value {
            case .string(let text): Int(text)
            case .number(let number): number == number.rounded() && abs(number) < 1e6 ? Int(number) : nil
            default: nil
            }
        guard let level, level >= 1 else { throw .badRequestData("joinLevel must be a positive integer") }
        guard level <= maxJoinLevel else {
            throw .badRequestData("joinLevel must not be above \(maxJoinLevel)")
        }
        return level
    }

    /// Applies the representation members of a Query body (`POST /entityOperations/query`, 5.2.23).
    mutating func apply(body object: JSONObject) throws(NGSIError) {
        if let lang = object["lang"] {
            guard let text = lang.stringValue else { throw .badRequestData("lang must be a string") }
            self.lang = text
        }
        if let value = object["pick"] { pick = try Self.projection(value, "pick") }
        if let value = object["omit"] { omit = try Self.projection(value, "omit") }
        if let value = object["join"] {
            guard let text = value.stringValue else { throw .badRequestData("join must be a string") }
            join = try Self.join(text)
        }
        if let value = object["joinLevel"] { joinLevel = try Self.joinLevel(value) }
        if let value = object["datasetId"] {
            guard let list = Self.strings(value) else { throw .badRequestData("datasetId must be strings") }
            datasetIds = list
        }
        if object["temporalQ"] != nil {
            throw .badRequestData("temporalQ is only allowed in a query of the temporal evolution of entities")
        }
        try validate()
    }

    /// A body `pick` / `omit`: an array of projection strings, or one string.
    static func projection(_ value: JSON, _ name: String) throws(NGSIError) -> Projection {
        guard let list = strings(value), !list.isEmpty else {
            throw .badRequestData("\(name) must be a non-empty array of strings")
        }
        var members: [Projection.Member] = []
        for item in list { members += try Projection.parse(item, parameter: name).members }
        return Projection(members: members)
    }

    /// A string or an array of strings.
    static func strings(_ value: JSON) -> [String]? {
        if let text = value.stringValue { return [text] }
        guard let list = value.arrayValue else { return nil }
        let texts = list.compactMap(\.stringValue)
        return texts.count == list.count ? texts : nil
    }

    /// The encoder for this request's context.
    func encoder(_ context: JSONLDContext) -> EntityEncoder {
        var encoder = EntityEncoder(context: context, format: format, sysAttrs: sysAttrs, lang: lang)
        if let attrs { encoder.attributeSelection = Set(attrs.map(context.expandTerm)) }
        encoder.project(pick: pick?.expanded(context.expandTerm), omit: omit?.expanded(context.expandTerm))
        encoder.datasetIds = datasetIds.map(Set.init)
        encoder.join = join
        encoder.joinLevel = joinLevel
        return encoder
    }

    static let entityMembers: Set<String> = ["id", "type", "scope"]

    /// A comma-separated list parameter.
    static func list(_ parameters: FlatDictionary<Substring, Substring>, _ name: String) -> [String]? {
        let values = parameters.getAll(name)
        guard !values.isEmpty else { return nil }
        return values.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: " ") } }.filter {
            !$0.isEmpty
        }
    }

    /// A Boolean parameter (`true`/`false`).
    static func flag(_ parameters: FlatDictionary<Substring, Substring>, _ name: String) throws(NGSIError) -> Bool {
        guard let value = parameters[Substring(name)] else { return false }
        switch value {
        case "true": return true
        case "false": return false
        default: throw .badRequestData("\(name) must be true or false")
        }
    }

    /// The query parameters of a URL as HTML forms encode them: `+` is a space, then percent-decoding (the way
    /// `requests`, `URLSearchParams` and `curl --data-urlencode` send them; a literal `+` arrives as `%2B`).
    static func formParameters(_ uri: URI) -> FlatDictionary<Substring, Substring> {
        guard let query = uri.query, !query.isEmpty else { return [:] }
        var pairs: [(key: Substring, value: Substring)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            pairs.append((Substring(key), Substring(value)))
        }
        return FlatDictionary(pairs)
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
