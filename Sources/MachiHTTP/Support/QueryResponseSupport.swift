import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import MachiBroker
import MachiCore
import MachiStore

/// Decoded URL query parameters.
typealias QueryParameters = FlatDictionary<Substring, Substring>

/// Helpers of the entity read responses: linked entities for `join`, pagination links.
enum QueryResponseSupport {
    /// The entities `roots` link to, up to `levels` hops, read from the tenant (missing ones are left out).
    static func linkedEntities(
        of roots: [Entity],
        levels: Int,
        services: NGSIServices,
        exchange: NGSIExchange
    ) async throws -> [String: Entity] {
        try await EntityEncoder.collectLinked(from: roots, levels: levels) { ids in
            var found: [Entity] = []
            var start = 0
            while start < ids.count {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                start += chunk.count
                let page = try await services.entities.query(
                    EntityQuery(ids: chunk, limit: chunk.count),
                    in: exchange.brokerContext
                )
                found += page.entities
            }
            return found
        }
    }

    /// The `Link` header values for the previous and next pages (ETSI GS CIM 009 5.5.9): the request's path and
    /// parameters (sorted by name) with `offset` moved by one page.
    static func pageLinks(
        path: String,
        parameters: FlatDictionary<Substring, Substring>,
        limit: Int,
        offset: Int,
        hasNext: Bool,
        mediaType: String
    ) -> [String] {
        guard limit > 0 else { return [] }
        var links: [String] = []
        if offset > 0 {
            links.append(link(path, parameters, offset: max(0, offset - limit), rel: "prev", mediaType))
        }
        if hasNext { links.append(link(path, parameters, offset: offset + limit, rel: "next", mediaType)) }
        return links
    }

    /// Appends the page links to the response's `Link` header (after the @context link, if any).
    static func addPageLinks(
        to response: inout Response,
        path: String,
        parameters: QueryParameters,
        limit: Int,
        offset: Int,
        hasNext: Bool,
        mediaType: String
    ) {
        let links = pageLinks(
            path: path,
            parameters: parameters,
            limit: limit,
            offset: offset,
            hasNext: hasNext,
            mediaType: mediaType
        )
        for link in links { response.headers.append(HTTPField(name: .link, value: link)) }
    }

    static func link(
        _ path: String,
        _ parameters: FlatDictionary<Substring, Substring>,
        offset: Int,
        rel: String,
        _ mediaType: String
    ) -> String {
        var pairs = parameters.filter { $0.key != "offset" }.map { (String($0.key), String($0.value)) }
        pairs.append(("offset", String(offset)))
        let query = pairs.enumerated().sorted { a, b in
            a.element.0 != b.element.0 ? a.element.0 < b.element.0 : a.offset < b.offset
        }.map { "\(encode($0.element.0))=\(encode($0.element.1))" }.joined(separator: "&")
        let base = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        return "<\(base)?\(query)>; rel=\"\(rel)\"; type=\"\(mediaType)\""
    }

    /// Percent-encodes what a query component cannot hold literally (RFC 3986), plus `&`, `=`, `+`, `,`, `;`.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128))
        )
        set.insert(charactersIn: "-._~:@/?!$'()*")
        return set
    }()
}
