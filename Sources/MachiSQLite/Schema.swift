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
/// Every table that points at an entity cascades on delete, except the R*Tree (virtual tables have no foreign
/// keys): the writer deletes its rows first.
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
        return migrator
    }
}
