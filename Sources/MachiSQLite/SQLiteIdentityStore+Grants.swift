public import Foundation
import GRDB
public import MachiStore

extension SQLiteIdentityStore {
    // MARK: authorization codes

    public func insertAuthorizationCode(_ code: AuthorizationCodeRecord) async throws {
        try await run("cannot store the authorization code") { db in
            try db.execute(
                sql: """
                    INSERT INTO authorization_code (code_hash, client_id, subject, redirect_uri, scopes, code_challenge,
                        nonce, expires_at, family_id, used_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    code.codeHash, code.clientId, code.subject, code.redirectURI,
                    IdentityColumns.encode(code.scopes.sorted()), code.codeChallenge, code.nonce,
                    code.expiresAt.timeIntervalSince1970, code.familyId, code.usedAt?.timeIntervalSince1970,
                ]
            )
        }
    }

    public func consumeAuthorizationCode(hash: String, at date: Date) async throws -> AuthorizationCodeRecord? {
        try await run("cannot read the authorization code") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT * FROM authorization_code WHERE code_hash = ?",
                    arguments: [hash]
                )
            else { return nil }
            let record = IdentityColumns.code(row)
            if record.usedAt == nil {
                try db.execute(
                    sql: "UPDATE authorization_code SET used_at = ? WHERE code_hash = ?",
                    arguments: [date.timeIntervalSince1970, hash]
                )
            }
            return record
        }
    }

    // MARK: refresh tokens

    public func insertRefreshToken(_ token: RefreshTokenRecord) async throws {
        try await run("cannot store the refresh token") { db in
            try db.execute(
                sql: """
                    INSERT INTO refresh_token (token_hash, family_id, client_id, subject, scopes, expires_at, used_at,
                        revoked, access_jti, access_expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    token.tokenHash, token.familyId, token.clientId, token.subject,
                    IdentityColumns.encode(token.scopes.sorted()), token.expiresAt.timeIntervalSince1970,
                    token.usedAt?.timeIntervalSince1970, token.revoked, token.accessTokenId,
                    token.accessTokenExpiresAt.timeIntervalSince1970,
                ]
            )
        }
    }

    public func consumeRefreshToken(hash: String, at date: Date) async throws -> RefreshTokenRecord? {
        try await run("cannot read the refresh token") { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT * FROM refresh_token WHERE token_hash = ?",
                    arguments: [hash]
                )
            else { return nil }
            let record = IdentityColumns.refreshToken(row)
            if record.usedAt == nil {
                try db.execute(
                    sql: "UPDATE refresh_token SET used_at = ? WHERE token_hash = ?",
                    arguments: [date.timeIntervalSince1970, hash]
                )
            }
            return record
        }
    }

    public func refreshToken(hash: String) async throws -> RefreshTokenRecord? {
        try await read("cannot read the refresh token") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM refresh_token WHERE token_hash = ?", arguments: [hash])
                .map(IdentityColumns.refreshToken)
        }
    }

    public func revokeTokenFamily(_ familyId: String) async throws {
        defer { revoked() }
        try await run("cannot revoke the tokens") { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO revoked_token (jti, expires_at)
                    SELECT access_jti, access_expires_at FROM refresh_token WHERE family_id = ?
                    """,
                arguments: [familyId]
            )
            try db.execute(sql: "UPDATE refresh_token SET revoked = 1 WHERE family_id = ?", arguments: [familyId])
        }
    }

    // MARK: access tokens

    public func revokeAccessToken(id: String, expiresAt: Date) async throws {
        defer { revoked() }
        try await run("cannot revoke the token") { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO revoked_token (jti, expires_at) VALUES (?, ?)",
                arguments: [id, expiresAt.timeIntervalSince1970]
            )
        }
    }

    public func isAccessTokenRevoked(id: String) async throws -> Bool {
        try await read("cannot read the revoked tokens") { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM revoked_token WHERE jti = ?)", arguments: [id])
                ?? false
        }
    }

    // MARK: signing keys

    public func signingKeys() async throws -> [SigningKeyRecord] {
        try await read("cannot read the signing keys") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM signing_key ORDER BY created_at").map { row in
                SigningKeyRecord(
                    kid: row["kid"],
                    privateKeyPEM: row["private_key_pem"],
                    createdAt: Date(timeIntervalSince1970: row["created_at"]),
                    retiredAt: (row["retired_at"] as Double?).map(Date.init(timeIntervalSince1970:))
                )
            }
        }
    }

    public func insertSigningKey(_ key: SigningKeyRecord) async throws {
        try await run("cannot store the signing key") { db in
            try db.execute(
                sql: "INSERT INTO signing_key (kid, private_key_pem, created_at, retired_at) VALUES (?, ?, ?, ?)",
                arguments: [
                    key.kid, key.privateKeyPEM, key.createdAt.timeIntervalSince1970,
                    key.retiredAt?.timeIntervalSince1970,
                ]
            )
        }
    }

    public func retireSigningKey(kid: String, at date: Date) async throws {
        try await run("cannot retire the signing key") { db in
            try db.execute(
                sql: "UPDATE signing_key SET retired_at = ? WHERE kid = ? AND retired_at IS NULL",
                arguments: [date.timeIntervalSince1970, kid]
            )
        }
    }

    public func deleteSigningKey(kid: String) async throws {
        try await run("cannot delete the signing key") { db in
            try db.execute(sql: "DELETE FROM signing_key WHERE kid = ?", arguments: [kid])
        }
    }

    public func purgeExpired(before date: Date) async throws {
        let seconds = date.timeIntervalSince1970
        try await run("cannot purge expired grants") { db in
            try db.execute(sql: "DELETE FROM authorization_code WHERE expires_at < ?", arguments: [seconds])
            try db.execute(sql: "DELETE FROM refresh_token WHERE expires_at < ?", arguments: [seconds])
            try db.execute(sql: "DELETE FROM revoked_token WHERE expires_at < ?", arguments: [seconds])
        }
    }
}
