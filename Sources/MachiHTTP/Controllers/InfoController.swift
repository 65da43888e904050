import Foundation
import Hummingbird
import MachiCore
import OrderedCollections

/// `/ngsi-ld/v1/info/sourceIdentity`: who this Context Source is (ETSI GS CIM 009, 5.15.1 and 5.2.40).
///
/// `contextSourceAlias` identifies this broker and, in the multi-tenant case, the tenant (Table 5.2.40-1): the
/// default tenant answers the broker's alias, another tenant that alias followed by `:` and the percent-encoded tenant.
struct InfoController {
    let services: NGSIServices
    /// This broker's alias, stable across restarts.
    let alias: String
    let startedAt: Date

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("info/sourceIdentity", use: sourceIdentity)
    }

    @Sendable func sourceIdentity(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let alias = Self.alias(alias, tenant: exchange.tenant)
        let now = Date()
        let body: JSON = [
            "id": .string(alias.hasPrefix("urn:") ? alias : "urn:ngsi-ld:ContextSourceIdentity:\(Self.encode(alias))"),
            "type": .string("ContextSourceIdentity"),
            "contextSourceAlias": .string(alias),
            "contextSourceUptime": .string(Self.duration(now.timeIntervalSince(startedAt))),
            "contextSourceTimeAt": .string(DateTimeText.format(now)),
        ]
        return NGSIResponse.json(body, exchange: exchange, contextValue: nil)
    }

    /// The alias of `tenant` (`nil`: the default tenant).
    static func alias(_ base: String, tenant: String?) -> String {
        guard let tenant else { return base }
        return "\(base):\(encode(tenant))"
    }

    /// `text` with every character outside `A-Z a-z 0-9 - . _ ~ :` percent-encoded, so it fits a URN.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<"\u{80}"))
        allowed.insert(charactersIn: "-._~:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// An ISO 8601 duration, e.g. `P1DT2H3M4.567S`.
    static func duration(_ interval: TimeInterval) -> String {
        let milliseconds = max(0, Int((interval * 1000).rounded(.down)))
        let days = milliseconds / 86_400_000
        let hours = milliseconds / 3_600_000 % 24
        let minutes = milliseconds / 60_000 % 60
        let seconds = Double(milliseconds % 60_000) / 1000
        var text = "P"
        if days > 0 { text += "\(days)D" }
        text += "T"
        if hours > 0 { text += "\(hours)H" }
        if minutes > 0 { text += "\(minutes)M" }
        text += String(format: "%.3fS", seconds)
        return text
    }
}
