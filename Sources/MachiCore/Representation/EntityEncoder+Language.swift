import OrderedCollections

extension EntityEncoder {
    /// The string of a language map that best fits `lang` (ETSI GS CIM 009 4.15): the ranges of an
    /// Accept-Language-like list (`fr-CH,fr;q=0.9,*;q=0.5`) in order of quality value, each matched by RFC 4647
    /// lookup (case-insensitive; `nl-BE` falls back to `nl`, `en` also matches `en-US`), `*` for any language;
    /// then `@none`, then any language, since the broker "shall default to any supported language".
    static func pick(language lang: String, from map: JSON) -> (tag: String, text: String)? {
        guard case .object(let object) = map, !object.isEmpty else { return nil }
        let entries: [(tag: String, text: String)] = object.elements.compactMap { tag, value in
            firstString(value).map { (tag, $0) }
        }
        for range in languageRanges(lang) {
            if range == "*" {
                if let any = entries.first(where: { $0.tag != "@none" }) ?? entries.first { return any }
                continue
            }
            var candidate = range
            while !candidate.isEmpty {
                if let exact = entries.first(where: { $0.tag.lowercased() == candidate }) { return exact }
                if let longer = entries.first(where: { $0.tag.lowercased().hasPrefix(candidate + "-") }) {
                    return longer
                }
                guard let dash = candidate.lastIndex(of: "-") else { break }
                candidate = String(candidate[..<dash])
            }
        }
        if let none = entries.first(where: { $0.tag == "@none" }) { return none }
        return entries.first
    }

    /// The language ranges of `lang`, lower-cased, by descending quality value (stable), without `q=0`.
    static func languageRanges(_ lang: String) -> [String] {
        var ranges: [(range: String, quality: Double)] = []
        for item in lang.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let first = parts.first else { continue }
            let range = first.trimmingWhitespace().lowercased()
            guard !range.isEmpty else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let text = parameter.trimmingWhitespace()
                if text.hasPrefix("q="), let value = Double(text.dropFirst(2)) { quality = value }
            }
            if quality > 0 { ranges.append((range, quality)) }
        }
        return ranges.enumerated().sorted { a, b in
            a.element.quality != b.element.quality ? a.element.quality > b.element.quality : a.offset < b.offset
        }.map(\.element.range)
    }

    static func firstString(_ value: JSON) -> String? { value.stringValue ?? value.arrayValue?.first?.stringValue }
}
