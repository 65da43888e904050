import Foundation
import JWTKit

/// The public keys of external issuers, fetched from their JWKS and kept for `ttl`; an unknown `kid` refetches at
/// most once per `minimumRefetch` (key rotation at the issuer), so forged tokens cannot make Machi hammer it.
actor ExternalKeyCache {
    private struct Entry {
        var collection: JWTKeyCollection
        var kids: Set<String>
        var fetchedAt: Date
    }

    private let source: any JWKSSource
    private let ttl: TimeInterval
    private let minimumRefetch: TimeInterval
    private var entries: [String: Entry] = [:]

    init(source: any JWKSSource, ttl: TimeInterval = 600, minimumRefetch: TimeInterval = 60) {
        self.source = source
        self.ttl = ttl
        self.minimumRefetch = minimumRefetch
    }

    /// The keys of `issuer` that hold `kid`.
    func collection(for issuer: ExternalIssuer, kid: String?, now: Date) async throws -> JWTKeyCollection {
        if let entry = entries[issuer.issuer] {
            let fresh = now.timeIntervalSince(entry.fetchedAt) < ttl
            let known = kid.map { entry.kids.contains($0) } ?? true
            let mayRefetch = now.timeIntervalSince(entry.fetchedAt) >= minimumRefetch
            if (fresh && known) || !mayRefetch { return entry.collection }
        }
        let json = try await source.jwks(at: issuer.jwksURL)
        let jwks = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
        let collection = JWTKeyCollection()
        try await collection.add(jwks: jwks)
        entries[issuer.issuer] = Entry(
            collection: collection,
            kids: Set(jwks.keys.compactMap { $0.keyIdentifier?.string }),
            fetchedAt: now
        )
        return collection
    }
}
