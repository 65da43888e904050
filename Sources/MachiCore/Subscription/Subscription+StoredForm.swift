import Foundation
import OrderedCollections

extension Subscription {
    /// The subscription as the store keeps it: the client's document, the creating @context, the expansion of
    /// every name, and the timestamps. Self-contained: `init(storedForm:)` needs no @context resolution.
    public var storedForm: JSON {
        var termObject = JSONObject()
        for (name, iri) in terms.sorted(by: { $0.key < $1.key }) { termObject[name] = .string(iri) }
        return [
            "document": .object(document), "context": context, "terms": .object(termObject),
            "createdAt": .string(createdAt), "modifiedAt": .string(modifiedAt),
        ]
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
    }
}
