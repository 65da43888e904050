import HTTPTypes
import OrderedCollections

/// The media types of the NGSI-LD API.
enum MediaType: String, Sendable {
    case json = "application/json"
    case jsonLD = "application/ld+json"
    case geoJSON = "application/geo+json"
    case mergePatch = "application/merge-patch+json"

    /// The media type of a `Content-Type` header, ignoring parameters (`; charset=utf-8`).
    init?(contentType: String) {
        let base = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: " ").lowercased()
        }
        guard let base, let type = MediaType(rawValue: base) else { return nil }
        self = type
    }

    /// The order in which ETSI GS CIM 009, 6.3.4 lists the response types: among equally acceptable ones, the first
    /// in this order is served.
    static let preferenceOrder: [MediaType] = [.json, .jsonLD, .geoJSON]

    /// The best type an `Accept` header allows among `offered`, or `nil` when none is acceptable.
    ///
    /// Each offered type takes the weight of the most specific media range that matches it (`type/subtype` over
    /// `type/*` over `*/*`, RFC 9110, 5.3.2); `q=0` refuses it. The highest weight wins, ties go to the 6.3.4 order.
    /// An unparseable `q` is ignored (the range keeps weight 1). No `Accept` (or an empty one) accepts anything.
    static func negotiate(_ accept: String?, offered: [MediaType]) -> MediaType? {
        let candidates = preferenceOrder.filter(offered.contains) + offered.filter { !preferenceOrder.contains($0) }
        guard let accept, !accept.trimmingCharacters(in: " ").isEmpty else { return candidates.first }
        let ranges = accept.split(separator: ",").compactMap(AcceptRange.init)
        var best: (type: MediaType, quality: Double)?
        for candidate in candidates {
            var match: (specificity: Int, quality: Double)?
            for range in ranges {
                guard let specificity = range.specificity(for: candidate) else { continue }
                if match == nil || specificity > match!.specificity { match = (specificity, range.quality) }
            }
            guard let match, match.quality > 0 else { continue }
            if best == nil || match.quality > best!.quality { best = (candidate, match.quality) }
        }
        return best?.type
    }
}

/// One media range of an `Accept` header, with its weight.
struct AcceptRange {
    let type: String
    let subtype: String
    let quality: Double

    init?(_ text: Substring) {
        let parts = text.split(separator: ";").map { $0.trimmingCharacters(in: " ").lowercased() }
        guard let name = parts.first, !name.isEmpty else { return nil }
        let halves = name.split(separator: "/", maxSplits: 1).map { $0.trimmingCharacters(in: " ") }
        guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty else { return nil }
        type = halves[0]
        subtype = halves[1]
        var quality = 1.0
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " ") }
            guard pair.count == 2, pair[0] == "q", let value = Double(pair[1]), value.isFinite else { continue }
            quality = min(max(value, 0), 1)
        }
        self.quality = quality
    }

    /// How specifically this range names `mediaType` (2 exactly, 1 by `type/*`, 0 by `*/*`), or `nil` if it does not.
    func specificity(for mediaType: MediaType) -> Int? {
        let halves = mediaType.rawValue.split(separator: "/", maxSplits: 1).map(String.init)
        if type == "*" && subtype == "*" { return 0 }
        guard type == halves[0] else { return nil }
        if subtype == "*" { return 1 }
        return subtype == halves[1] ? 2 : nil
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var slice = self[...]
        while slice.first == set || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == set || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}

extension HTTPField.Name {
    static let link = Self("Link")!
    static let ngsildTenant = Self("NGSILD-Tenant")!
    static let ngsildResultsCount = Self("NGSILD-Results-Count")!
    static let prefer = Self("Prefer")!
    static let fiwareService = Self("Fiware-Service")!
    /// The purpose a reader of personal data states (`docs/consent.md`).
    static let machiPurpose = Self("Machi-Purpose")!
}
