import Foundation
import GRDB
import MachiStore

/// Row ↔ record conversion for the identity tables: sets and role maps are JSON text columns.
enum IdentityColumns {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func encode(_ roles: [String: Set<String>]) -> String { encode(roles.mapValues { $0.sorted() }) }

    static func strings(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    static func roles(_ text: String) -> [String: Set<String>] {
        ((try? JSONDecoder().decode([String: [String]].self, from: Data(text.utf8))) ?? [:]).mapValues(Set.init)
    }

    static func date(_ row: Row, _ column: String) -> Date? {
        (row[column] as Double?).map(Date.init(timeIntervalSince1970:))
    }

    static func user(_ row: Row) -> UserRecord {
        UserRecord(
            subject: row["subject"],
            username: row["username"],
            displayName: row["display_name"],
            passwordHash: row["password_hash"],
            roles: roles(row["roles"]),
            disabled: row["disabled"],
            createdAt: date(row, "created_at") ?? Date(timeIntervalSince1970: 0)
        )
    }

    static func client(_ row: Row) -> ClientRecord {
        ClientRecord(
            clientId: row["client_id"],
            name: row["name"],
            secretHash: row["secret_hash"],
            redirectURIs: strings(row["redirect_uris"]),
            scopes: Set(strings(row["scopes"])),
            grantTypes: Set(strings(row["grant_types"])),
            tenant: row["tenant"],
            roles: roles(row["roles"]),
            createdAt: date(row, "created_at") ?? Date(timeIntervalSince1970: 0)
        )
    }

    static func code(_ row: Row) -> AuthorizationCodeRecord {
        AuthorizationCodeRecord(
            codeHash: row["code_hash"],
            clientId: row["client_id"],
            subject: row["subject"],
            redirectURI: row["redirect_uri"],
            scopes: Set(strings(row["scopes"])),
            codeChallenge: row["code_challenge"],
            nonce: row["nonce"],
            expiresAt: date(row, "expires_at") ?? Date(timeIntervalSince1970: 0),
            familyId: row["family_id"],
            usedAt: date(row, "used_at")
        )
    }

    static func refreshToken(_ row: Row) -> RefreshTokenRecord {
        RefreshTokenRecord(
            tokenHash: row["token_hash"],
            familyId: row["family_id"],
            clientId: row["client_id"],
            subject: row["subject"],
            scopes: Set(strings(row["scopes"])),
            expiresAt: date(row, "expires_at") ?? Date(timeIntervalSince1970: 0),
            usedAt: date(row, "used_at"),
            revoked: row["revoked"],
            accessTokenId: row["access_jti"],
            accessTokenExpiresAt: date(row, "access_expires_at") ?? Date(timeIntervalSince1970: 0)
        )
    }
}
