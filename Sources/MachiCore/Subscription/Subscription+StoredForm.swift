import Foundation
import OrderedCollections

extension Subscription {
    /// The subscription as the store keeps it: the client's document, the creating @context, the expansion of
    /// every name, and the timestamps. Self-contained: `init(storedForm:)` needs no @context resolution.
    public var storedForm: JSON {
        var termObject = JSONObject()
        for (name, iri) in terms.sorted(by: { $0.key < $1.key }) { termObject[name] = .string(iri) }
        var stored: JSONObject = [
            "document": .object(document), "context": context, "terms": .object(termObject),
            "createdAt": .string(createdAt), "modifiedAt": .string(modifiedAt),
        ]
        if let reader { stored["reader"] = reader.storedForm }
        return .object(stored)
    }

    /// Decodes a stored form written by `storedForm`.
    /// - Throws: `NGSIError` (internal error) if it is damaged.
    public init(storedForm: JSON) throws(NGSIError) {
        guard case .object(let document)? = storedForm["document"], case .object(let termObject)? = storedForm["terms"],
            let createdAt = storedForm["createdAt"]?.stringValue,
            let modifiedAt = storedForm["modifiedAt"]?.stringValue
        else { throw NGSIError(.internalError, "a stored subscription is damaged") }
        var terms: [String: String] = [:]
        for (name, iri) in termObject { terms[name] = iri.stringValue }
        let decoder = SubscriptionDecoder(
            expand: { terms[$0] ?? JSONLDContext.core.expandTerm($0) },
            now: .distantPast
        )
        do {
            self = try decoder.decode(
                document,
                generatedId: "",
                context: storedForm["context"] ?? .null,
                createdAt: createdAt
            )
        } catch {
            throw NGSIError(.internalError, "a stored subscription is damaged: \(error.detail)")
        }
        self.modifiedAt = modifiedAt
        if let reader = storedForm["reader"] {
            guard let decoded = SubscriptionReader(storedForm: reader) else {
                throw NGSIError(.internalError, "a stored subscription's reader is damaged")
            }
            self.reader = decoded
        }
    }
}

extension SubscriptionReader {
    var storedForm: JSON {
        var roles = JSONObject()
        for (tenant, held) in principal.roles.sorted(by: { $0.key < $1.key }) {
            roles[tenant] = .array(held.map(\.rawValue).sorted().map(JSON.string))
        }
        var object: JSONObject = [
            "subject": .string(principal.subject), "kind": .string(principal.kind.rawValue),
            "roles": .object(roles), "scopes": .array(principal.scopes.sorted().map(JSON.string)),
        ]
        if let clientId = principal.clientId { object["clientId"] = .string(clientId) }
        if let purpose { object["purpose"] = .string(purpose) }
        return .object(object)
    }

    init?(storedForm: JSON) {
        guard let subject = storedForm["subject"]?.stringValue,
            let kind = storedForm["kind"]?.stringValue.flatMap(Principal.Kind.init(rawValue:)),
            case .object(let roleObject)? = storedForm["roles"]
        else { return nil }
        var roles: [String: Set<Role>] = [:]
        for (tenant, held) in roleObject {
            roles[tenant] = Set((held.arrayValue ?? []).compactMap(\.stringValue).map(Role.init(rawValue:)))
        }
        let scopes = Set((storedForm["scopes"]?.arrayValue ?? []).compactMap(\.stringValue))
        self.init(
            principal: Principal(
                subject: subject,
                kind: kind,
                clientId: storedForm["clientId"]?.stringValue,
                roles: roles,
                scopes: scopes
            ),
            purpose: storedForm["purpose"]?.stringValue
        )
    }
}
