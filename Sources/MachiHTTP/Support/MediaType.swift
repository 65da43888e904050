public import HTTPTypes
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

    /// The best type an `Accept` header allows among `offered`, or `nil` when none is acceptable.
    static func negotiate(_ accept: String?, offered: [MediaType]) -> MediaType? {
        guard let accept, !accept.isEmpty else { return offered.first }
        var best: (type: MediaType, quality: Double, order: Int)?
        for (order, range) in accept.split(separator: ",").enumerated() {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: " ").lowercased() }
            guard let name = parts.first else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            let candidates: [MediaType]
            switch name {
            case "*/*", "application/*": candidates = [offered[0]]
            default: candidates = offered.filter { $0.rawValue == name }
            }
            for candidate in candidates where best == nil || quality > best!.quality {
                best = (candidate, quality, order)
            }
        }
        return best?.type
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
}
