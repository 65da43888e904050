import GRDB

/// The identity database schema (`identity.sqlite`): named, append-only migrations.
///
/// v1 (`v1-identity`):
/// - `user(subject, username UNIQUE, display_name, password_hash, roles JSON, disabled, created_at)`;
/// - `client(client_id, name, secret_hash, redirect_uris JSON, scopes JSON, grant_types JSON, tenant, roles JSON,
///   created_at)`;
/// - `external_id(scheme, pseudonym, subject)`: keyed pseudonyms (HMAC-SHA-256) of external identifiers, never the
///   identifiers themselves;
/// - `authorization_code(code_hash, …, expires_at, family_id, used_at)`: SHA-256 of the code, one use;
/// - `refresh_token(token_hash, family_id, …, used_at, revoked, access_jti, access_expires_at)`;
/// - `signing_key(kid, private_key_pem, created_at, retired_at)`;
/// - `revoked_token(jti, expires_at)`.
///
/// v2 (`v2-identity-audit`): the `audit_record` table (`AuditTable`), the chain of sign-ins, token issues and
/// administrative changes. Its DDL is idempotent: files where `SQLiteAuditLog` created the table keep it.
///
/// Times are seconds since 1970.
enum IdentitySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-identity") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user (
                        subject TEXT PRIMARY KEY,
                        username TEXT NOT NULL UNIQUE,
                        display_name TEXT NOT NULL,
                        password_hash TEXT,
                        roles TEXT NOT NULL,
                        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE client (
                        client_id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        secret_hash TEXT,
                        redirect_uris TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        grant_types TEXT NOT NULL,
                        tenant TEXT NOT NULL,
                        roles TEXT NOT NULL,
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE external_id (
                        scheme TEXT NOT NULL,
                        pseudonym TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        PRIMARY KEY (scheme, pseudonym)
                    ) WITHOUT ROWID;
                    CREATE INDEX external_id_subject ON external_id(subject);
                    CREATE TABLE authorization_code (
                        code_hash TEXT PRIMARY KEY,
                        client_id TEXT NOT NULL REFERENCES client(client_id) ON DELETE CASCADE,
                        subject TEXT NOT NULL,
                        redirect_uri TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        code_challenge TEXT NOT NULL,
                        nonce TEXT,
                        expires_at REAL NOT NULL,
                        family_id TEXT NOT NULL,
                        used_at REAL
                    );
                    CREATE TABLE refresh_token (
                        token_hash TEXT PRIMARY KEY,
                        family_id TEXT NOT NULL,
                        client_id TEXT NOT NULL REFERENCES client(client_id) ON DELETE CASCADE,
                        subject TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        expires_at REAL NOT NULL,
                        used_at REAL,
                        revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
                        access_jti TEXT NOT NULL,
                        access_expires_at REAL NOT NULL
                    );
                    CREATE INDEX refresh_token_family ON refresh_token(family_id);
                    CREATE TABLE signing_key (
                        kid TEXT PRIMARY KEY,
                        private_key_pem TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        retired_at REAL
                    );
                    CREATE TABLE revoked_token (
                        jti TEXT PRIMARY KEY,
                        expires_at REAL NOT NULL
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v2-identity-audit") { db in try db.execute(sql: AuditTable.createSQL) }
        return migrator
    }
}
