import GRDB

/// The tenant database schema: named, append-only migrations. Never edit a shipped migration; add a new one.
///
/// - `tenant(id = 1, name)`: the tenant this file belongs to (checked on open).
/// - `entity(rowid, id, doc, created_at, modified_at)`: one row per entity; `doc` is the stored form (JSON text);
///   `rowid` is the stable creation order.
/// - `entity_type(type, entity_rowid)`: the entity's expanded types.
/// - `attr(entity_rowid, name)`: the attribute names an entity has (the `attrs` filter, `q` existence terms).
/// - `attr_value(entity_rowid, name, dataset_id, num, str)`: scalar values of top-level attributes (and the scalar
///   elements of array values), indexed by `(name, num)` and `(name, str)` for `q`.
/// - `geo_index`: an R*Tree of GeoProperty bounding boxes; `geo_entry(id, entity_rowid, name)` maps its rows to
///   entities and attribute names.
/// - `type_stat(type, entity_count)` and `type_attr_stat(type, name, kind, entity_count)`: counters kept in the
///   write transaction for `typeSummaries`, so it never scans entities.
///
/// - `hosted_context(id, tenant, doc, created_at)` (v2): the @contexts hosted through `/jsonldContexts`, of every
///   tenant, `created_at` in seconds since 1970; used in the default tenant's file only
///   (see `SQLiteEntityStore+HostedContexts`).
///
/// v3 (`v3-lean-indexes`) replaces the index tables of v1 with leaner ones, because the writer's cost is the
/// number of B-tree pages each commit dirties:
/// - `term(id, iri)`: attribute names and types interned as integers;
/// - `entity_type(type, entity_rowid)`, `attr(name, entity_rowid)`, `attr_num(name, num, entity_rowid)`,
///   `attr_str(name, str, entity_rowid)`: each one WITHOUT ROWID B-tree keyed by everything it holds, `type` and
///   `name` being term ids; no secondary indexes and no foreign keys: the writer deletes exactly the rows it
///   derives from the stored document (`EntityIndexRows`);
/// - `geo_box`: the R*Tree, with the entity and the attribute name as auxiliary columns and ids from `GeoBoxID`.
///
/// v4 (`v4-subscriptions`): `subscription(rowid, id, doc, status)` (the stored form and the notifier's status,
/// both JSON; `rowid` is the creation order) and `outbox(seq, subscription_id, reason, payload, attempts, due_at)`,
/// the notifications due, written in the transaction of the change that made them due (`due_at` in seconds since
/// 1970).
///
/// v5 (`v5-temporal`): `temporal_entity(rowid, id, types, created_at, modified_at)` and
/// `attr_instance(seq, entity, name, dataset_id, observed_at, created_at, modified_at, doc)`: one row per recorded
/// attribute instance (`name` a term id, `doc` the instance's members as JSON, times in seconds since 1970),
/// indexed by entity, attribute and `observedAt`.
///
/// v6 (`v6-iot`): `iot_record(rowid, kind, key, doc)`: the IoT agent's service groups and devices (`kind` `group`
/// or `device`, `doc` the provisioning JSON), unique by kind and key.
///
/// v7 (`v7-context-kind`): `hosted_context.kind`, `Hosted` (added through `/jsonldContexts`) or `ImplicitlyCreated`
/// (made for a subscription whose @context is not a single URL); existing rows are `Hosted`.
///
/// v8 (`v8-consent`): `consent(id, owner, grantee, doc)`: residents' consents to applications reading their personal
/// data (`doc` the consent as JSON), indexed by owner and by grantee.
///
/// v9 (`v9-audit`): `audit_record`, the database's hash-chained audit trail (see `AuditTable`).
///
/// Migrations that rebuild index rows call the current `EntityIndexRows`, so they index as the running code
/// queries.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-entities") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tenant (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        name TEXT NOT NULL
                    );
                    CREATE TABLE entity (
                        rowid INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        doc TEXT NOT NULL,
                        created_at TEXT,
                        modified_at TEXT
                    );
                    CREATE TABLE entity_type (
                        type TEXT NOT NULL,
                        entity_rowid INTEGER NOT NULL REFERENCES entity(rowid) ON DELETE CASCADE,
                        PRIMARY KEY (type, entity_rowid)
                    ) WITHOUT ROWID;
                    CREATE INDEX entity_type_entity ON entity_type(entity_rowid);
                    CREATE TABLE attr (
                        entity_rowid INTEGER NOT NULL REFERENCES entity(rowid) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        PRIMARY KEY (entity_rowid, name)
                    ) WITHOUT ROWID;
                    CREATE INDEX attr_name ON attr(name, entity_rowid);
                    CREATE TABLE attr_value (
                        entity_rowid INTEGER NOT NULL REFERENCES entity(rowid) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        dataset_id TEXT,
                        num REAL,
                        str TEXT,
                        CHECK (num IS NOT NULL OR str IS NOT NULL)
                    );
                    CREATE INDEX attr_value_num ON attr_value(name, num);
                    CREATE INDEX attr_value_str ON attr_value(name, str);
                    CREATE INDEX attr_value_entity ON attr_value(entity_rowid);
                    CREATE VIRTUAL TABLE geo_index USING rtree(id, min_lon, max_lon, min_lat, max_lat);
                    CREATE TABLE geo_entry (
                        id INTEGER PRIMARY KEY,
                        entity_rowid INTEGER NOT NULL REFERENCES entity(rowid) ON DELETE CASCADE,
                        name TEXT NOT NULL
                    );
                    CREATE INDEX geo_entry_entity ON geo_entry(entity_rowid);
                    CREATE TABLE type_stat (
                        type TEXT PRIMARY KEY,
                        entity_count INTEGER NOT NULL CHECK (entity_count >= 0)
                    ) WITHOUT ROWID;
                    CREATE TABLE type_attr_stat (
                        type TEXT NOT NULL,
                        name TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        entity_count INTEGER NOT NULL CHECK (entity_count >= 0),
                        PRIMARY KEY (type, name, kind)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v2-hosted-contexts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE hosted_context (
                        id TEXT PRIMARY KEY,
                        tenant TEXT NOT NULL,
                        doc TEXT NOT NULL,
                        created_at REAL NOT NULL
                    );
                    CREATE INDEX hosted_context_tenant ON hosted_context(tenant, created_at);
                    """
            )
        }
        migrator.registerMigration("v3-lean-indexes") { db in
            try db.execute(
                sql: """
                    DROP TABLE entity_type;
                    DROP TABLE attr;
                    DROP TABLE attr_value;
                    DROP TABLE geo_entry;
                    DROP TABLE geo_index;
                    CREATE TABLE term (
                        id INTEGER PRIMARY KEY,
                        iri TEXT NOT NULL UNIQUE
                    );
                    CREATE TABLE entity_type (
                        type INTEGER NOT NULL,
                        entity_rowid INTEGER NOT NULL,
                        PRIMARY KEY (type, entity_rowid)
                    ) WITHOUT ROWID;
                    CREATE TABLE attr (
                        name INTEGER NOT NULL,
                        entity_rowid INTEGER NOT NULL,
                        PRIMARY KEY (name, entity_rowid)
                    ) WITHOUT ROWID;
                    CREATE TABLE attr_num (
                        name INTEGER NOT NULL,
                        num REAL NOT NULL,
                        entity_rowid INTEGER NOT NULL,
                        PRIMARY KEY (name, num, entity_rowid)
                    ) WITHOUT ROWID;
                    CREATE TABLE attr_str (
                        name INTEGER NOT NULL,
                        str TEXT NOT NULL,
                        entity_rowid INTEGER NOT NULL,
                        PRIMARY KEY (name, str, entity_rowid)
                    ) WITHOUT ROWID;
                    CREATE VIRTUAL TABLE geo_box USING rtree(
                        id, min_lon, max_lon, min_lat, max_lat, +entity_rowid INTEGER, +name INTEGER
                    );
                    """
            )
            let writer = EntityWriter(db: db, terms: TermTable(db))
            let rows = try Row.fetchCursor(db, sql: "SELECT rowid, doc FROM entity ORDER BY rowid")
            while let row = try rows.next() {
                let entity = try StoredEntityCodec.decode(row[1] as String)
                try writer.writeIndexRows(from: nil, to: EntityIndexRows(entity), rowid: row[0])
            }
        }
        migrator.registerMigration("v4-subscriptions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE subscription (
                        rowid INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        doc TEXT NOT NULL,
                        status TEXT NOT NULL
                    );
                    CREATE TABLE outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        subscription_id TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        due_at REAL NOT NULL
                    );
                    CREATE INDEX outbox_due ON outbox(due_at, seq);
                    CREATE INDEX outbox_subscription ON outbox(subscription_id);
                    """
            )
        }
        migrator.registerMigration("v5-temporal") { db in
            try db.execute(
                sql: """
                    CREATE TABLE temporal_entity (
                        rowid INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        types TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        modified_at REAL NOT NULL
                    );
                    CREATE TABLE attr_instance (
                        seq INTEGER PRIMARY KEY,
                        entity INTEGER NOT NULL,
                        name INTEGER NOT NULL,
                        dataset_id TEXT,
                        observed_at REAL,
                        created_at REAL NOT NULL,
                        modified_at REAL NOT NULL,
                        doc TEXT NOT NULL
                    );
                    CREATE INDEX attr_instance_entity ON attr_instance(entity, name, observed_at);
                    CREATE INDEX attr_instance_created ON attr_instance(created_at);
                    """
            )
        }
        migrator.registerMigration("v6-iot") { db in
            try db.execute(
                sql: """
                    CREATE TABLE iot_record (
                        rowid INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL,
                        key TEXT NOT NULL,
                        doc TEXT NOT NULL,
                        UNIQUE (kind, key)
                    );
                    """
            )
        }
        migrator.registerMigration("v7-context-kind") { db in
            try db.execute(
                sql: """
                    ALTER TABLE hosted_context ADD COLUMN kind TEXT NOT NULL DEFAULT 'Hosted'
                        CHECK (kind IN ('Hosted', 'ImplicitlyCreated'));
                    """
            )
        }
        migrator.registerMigration("v8-consent") { db in
            try db.execute(
                sql: """
                    CREATE TABLE consent (
                        id TEXT PRIMARY KEY,
                        owner TEXT NOT NULL,
                        grantee TEXT NOT NULL,
                        doc TEXT NOT NULL
                    );
                    CREATE INDEX consent_owner ON consent(owner);
                    CREATE INDEX consent_grantee ON consent(grantee);
                    """
            )
        }
        migrator.registerMigration("v9-audit") { db in
            try db.execute(sql: AuditTable.createSQL)
        }
        return migrator
    }
}
