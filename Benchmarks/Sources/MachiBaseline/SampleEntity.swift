import Foundation
import GRDB

/// One entity as Machi stores it, read from a Machi tenant database: the schema to copy, the stored document
/// and every index row Machi writes for it. The raw SQLite ceiling writes exactly these rows, so it never drifts
/// from Machi's schema.
struct SampleEntity {
    struct Value {
        var name: String
        var datasetId: String?
        var number: Double?
        var string: String?
    }

    /// `CREATE` statements of the Machi database, in creation order (virtual-table shadow tables left out).
    var schema: [String]
    var id: String
    var document: String
    var types: [String]
    var attributeNames: [String]
    var values: [Value]
    var geoNames: [String]
    /// `(type, name, kind)` keys of `type_attr_stat` for the sample's types.
    var typeAttributeKeys: [(String, String, String)]

    /// Reads the first entity of the Machi tenant database at `path` (opened read-only).
    init(machiDatabase path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        self = try queue.read { db in
            let master = try Row.fetchAll(
                db,
                sql: "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
            )
            var virtualTables: [String] = []
            var schema: [String] = []
            for row in master {
                let name: String = row["name"]
                let sql: String = row["sql"]
                if name.hasPrefix("sqlite_") || name.hasPrefix("grdb_") { continue }
                if virtualTables.contains(where: { name.hasPrefix($0 + "_") }) { continue }
                if sql.uppercased().hasPrefix("CREATE VIRTUAL TABLE") { virtualTables.append(name) }
                schema.append(sql)
            }
            guard let entity = try Row.fetchOne(db, sql: "SELECT rowid, id, doc FROM entity ORDER BY rowid LIMIT 1")
            else { throw Arguments.Failure(description: "the Machi database at \(path) holds no entity") }
            let rowid: Int64 = entity["rowid"]
            let types = try String.fetchAll(
                db,
                sql: "SELECT type FROM entity_type WHERE entity_rowid = ?",
                arguments: [rowid]
            )
            let names = try String.fetchAll(db, sql: "SELECT name FROM attr WHERE entity_rowid = ?", arguments: [rowid])
            let values = try Row.fetchAll(
                db,
                sql: "SELECT name, dataset_id, num, str FROM attr_value WHERE entity_rowid = ?",
                arguments: [rowid]
            ).map { Value(name: $0["name"], datasetId: $0["dataset_id"], number: $0["num"], string: $0["str"]) }
            let geoNames = try String.fetchAll(
                db,
                sql: "SELECT name FROM geo_entry WHERE entity_rowid = ?",
                arguments: [rowid]
            )
            var keys: [(String, String, String)] = []
            for type in types {
                for row in try Row.fetchAll(
                    db,
                    sql: "SELECT name, kind FROM type_attr_stat WHERE type = ?",
                    arguments: [type]
                ) {
                    keys.append((type, row["name"], row["kind"]))
                }
            }
            return SampleEntity(
                schema: schema,
                id: entity["id"],
                document: entity["doc"],
                types: types,
                attributeNames: names,
                values: values,
                geoNames: geoNames,
                typeAttributeKeys: keys
            )
        }
    }

    private init(
        schema: [String],
        id: String,
        document: String,
        types: [String],
        attributeNames: [String],
        values: [Value],
        geoNames: [String],
        typeAttributeKeys: [(String, String, String)]
    ) {
        self.schema = schema
        self.id = id
        self.document = document
        self.types = types
        self.attributeNames = attributeNames
        self.values = values
        self.geoNames = geoNames
        self.typeAttributeKeys = typeAttributeKeys
    }
}
