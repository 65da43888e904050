public import Foundation
import JWTKit
public import MachiStore

/// The ES256 keys that sign Machi's tokens, each with a `kid`.
///
/// One key signs; after `rotationInterval` a new key takes over and the old one is retired. A retired key stays
/// in the JWKS (and verifies) until every token it signed has expired (`retention` after its retirement), then
/// it is deleted. Keys are stored in the `IdentityStore`, so every restart keeps them.
public actor KeyRing {
    private let store: any IdentityStore
    private let rotationInterval: TimeInterval
    private let retention: TimeInterval
    private var records: [SigningKeyRecord] = []
    private var collection = JWTKeyCollection()
    private var lastReload: Date?

    /// - Parameters:
    ///   - rotationInterval: how long a key signs before a new one replaces it.
    ///   - retention: how long a retired key still verifies: the longest token lifetime.
    public init(store: any IdentityStore, rotationInterval: TimeInterval, retention: TimeInterval) {
        self.store = store
        self.rotationInterval = rotationInterval
        self.retention = retention
    }

    /// Loads the keys; creates the first key, or rotates, when due; deletes keys no token can need any more.
    public func prepare(now: Date) async throws {
        var records = try await store.signingKeys()
        for record in records {
            if let retiredAt = record.retiredAt, retiredAt.addingTimeInterval(retention) < now {
                try await store.deleteSigningKey(kid: record.kid)
            }
        }
        records.removeAll { $0.retiredAt.map { $0.addingTimeInterval(retention) < now } ?? false }
        let active = records.last { $0.retiredAt == nil }
        if active == nil || active!.createdAt.addingTimeInterval(rotationInterval) <= now {
            let key = ES256PrivateKey()
            let record = SigningKeyRecord(
                kid: SecretToken.base64URL(SecretToken.randomBytes(12)),
                privateKeyPEM: key.pemRepresentation,
                createdAt: now
            )
            try await store.insertSigningKey(record)
            for old in records where old.retiredAt == nil {
                try await store.retireSigningKey(kid: old.kid, at: now)
            }
            records = records.map { old in
                var old = old
                if old.retiredAt == nil { old.retiredAt = now }
                return old
            }
            records.append(record)
        }
        guard records != self.records else { return }
        let collection = JWTKeyCollection()
        for record in records {
            let key = try ES256PrivateKey(pem: record.privateKeyPEM)
            await collection.add(ecdsa: key, kid: JWKIdentifier(string: record.kid))
        }
        self.records = records
        self.collection = collection
    }

    /// The `kid` of the key that signs now.
    public var activeKeyId: String? { records.last { $0.retiredAt == nil }?.kid }

    /// The key ids the JWKS publishes.
    public var keyIds: [String] { records.map(\.kid) }

    /// Signs with the active key; `type` is the `typ` header (`at+jwt` for access tokens, RFC 9068).
    func sign(_ payload: some JWTPayload, type: String = "JWT") async throws -> String {
        guard let kid = activeKeyId else { throw IdentityError(.invalidRequest, "no signing key") }
        var header = JWTHeader()
        header.typ = type
        return try await collection.sign(payload, kid: JWKIdentifier(string: kid), header: header)
    }

    func verify<Payload: JWTPayload>(
        _ token: String,
        kid: String,
        as type: Payload.Type,
        now: Date
    ) async throws -> Payload {
        if !records.contains(where: { $0.kid == kid }), lastReload.map({ now.timeIntervalSince($0) >= 10 }) ?? true {
            // Another process (`machi token`, a second node) may have added a key: look again, at most every 10 s.
            lastReload = now
            try await prepare(now: now)
        }
        guard records.contains(where: { $0.kid == kid }) else {
            throw IdentityError(.invalidToken, "the token's key is unknown")
        }
        return try await collection.verify(token, as: Payload.self)
    }

    /// The public keys as a JWKS document (RFC 7517).
    public func jwksJSON() throws -> Data {
        var keys: [JWK] = []
        for record in records {
            let key = try ES256PrivateKey(pem: record.privateKeyPEM)
            guard let parameters = key.publicKey.parameters else { continue }
            keys.append(
                .ecdsa(
                    .es256,
                    identifier: JWKIdentifier(string: record.kid),
                    x: parameters.x,
                    y: parameters.y,
                    curve: .p256
                )
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(PublicJWKS(keys: keys))
    }

    private struct PublicJWKS: Encodable {
        var keys: [JWK]
    }
}
