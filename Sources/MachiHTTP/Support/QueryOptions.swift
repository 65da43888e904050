import Foundation
public import Hummingbird
import HummingbirdCore
import MachiCore
import OrderedCollections

/// The URL parameters shared by retrieve and query: representation, projection, `lang`, `options`.
struct RepresentationOptions {
    var format: EntityEncoder.Format = .normalized
    var sysAttrs = false
    var lang: String?
    var attrs: [String]?
    var pick: [String]?
    var omit: [String]?
    var geometryProperty: String?

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
            default: throw .badRequestData("Unknown option \"\(option)\"")
            }
        }
        if let format = parameters["format"] {
            switch format {
            case "keyValues", "simplified": formats.append(.keyValues)
            case "concise": formats.append(.concise)
            case "normalized": formats.append(.normalized)
            default: throw .badRequestData("Unknown format \"\(format)\"")
            }
        }
        if Set(formats.map { "\($0)" }).count > 1 {
            throw .badRequestData("Conflicting representations requested in options/format")
        }
        format = formats.first ?? .normalized
        lang = parameters["lang"].map(String.init)
        attrs = Self.list(parameters, "attrs")
        pick = Self.list(parameters, "pick")
        omit = Self.list(parameters, "omit")
        geometryProperty = parameters["geometryProperty"].map(String.init)
        if pick != nil, omit != nil { throw .badRequestData("pick and omit cannot be used together") }
        for name in (attrs ?? []) + (pick ?? []) + (omit ?? []) where !NameRules.isValidName(name) {
            throw .badRequestData("Invalid attribute name \"\(name)\"")
        }
    }

    /// The encoder for this request's context.
    func encoder(_ context: JSONLDContext) -> EntityEncoder {
        var encoder = EntityEncoder(context: context, format: format, sysAttrs: sysAttrs, lang: lang)
        var selection: Set<String>?
        if let attrs { selection = Set(attrs.map(context.expandTerm)) }
        if let pick {
            let picked = Set(pick.filter { !Self.entityMembers.contains($0) }.map(context.expandTerm))
            selection = selection.map { $0.intersection(picked) } ?? picked
            encoder.omittedMembers = Self.entityMembers.subtracting(pick)
        }
        if let omit {
            encoder.omittedAttributes = Set(omit.filter { !Self.entityMembers.contains($0) }.map(context.expandTerm))
            encoder.omittedMembers = Self.entityMembers.intersection(omit)
        }
        encoder.attributeSelection = selection
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
}
