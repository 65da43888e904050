import Foundation
import GRDB

/// One entity as Machi stores it, read from a Machi tenant database: the schema to copy, the stored document
/// and every index row Machi writes for it, with term ids resolved back to their IRIs. The raw SQLite ceiling
/// writes exactly these rows, so it never drifts from Machi's schema.
struct SampleEntity {
    /// An `attr_num` row.
    struct NumberValue {
        var name: String
        var number: Double
    }

    /// An `attr_str` row.
    struct StringValue {
        var name: String
        var string: String
    }

    /// `CREATE` statements of the Machi database, in creation order (virtual-table shadow tables left out).
    var schema: [String]
    var id: String
    var document: String
    /// `entity_type` rows.
    var types: [String]
    /// `attr` rows.
    var attributeNames: [String]
    var numbers: [NumberValue]
    var strings: [StringValue]
    /// The attribute names of the `geo_box` rows, by ordinal.
    var geoNames: [String]
    /// `(type, name, kind)` keys of `type_attr_stat` for the sample's types.
    var typeAttributeKeys: [(String, String, String)]

    /// Index rows per entity, by table.
    var indexRows: [String: Int] {
        [
            "entity_type": types.count, "attr": attributeNames.count, "attr_num": numbers.count,
            "attr_str": strings.count, "geo_box": geoNames.count,
        ]
    }

    /// Every IRI the index rows name, once each: what the benchmark interns in `term`.
    var terms: [String] {
        var seen = Set<String>()
        let all = types + attributeNames + numbers.map(\.name) + strings.map(\.name) + geoNames
        return all.filter { seen.insert($0).inserted }
    }

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
                sql: "SELECT term.iri FROM entity_type JOIN term ON term.id = type WHERE entity_rowid = ?",
                arguments: [rowid]
            )
            let names = try String.fetchAll(
                db,
                sql: "SELECT term.iri FROM attr JOIN term ON term.id = name WHERE entity_rowid = ?",
                arguments: [rowid]
            )
            let numbers = try Row.fetchAll(
                db,
                sql: "SELECT term.iri, num FROM attr_num JOIN term ON term.id = name WHERE entity_rowid = ?",
                arguments: [rowid]
            ).map { NumberValue(name: $0[0], number: $0[1]) }
            let strings = try Row.fetchAll(
                db,
                sql: "SELECT term.iri, str FROM attr_str JOIN term ON term.id = name WHERE entity_rowid = ?",
                arguments: [rowid]
            ).map { StringValue(name: $0[0], string: $0[1]) }
            // Box ids are `entity_rowid << 20 | ordinal` (Machi's `GeoBoxID`).
            let geoNames = try String.fetchAll(
                db,
                sql: """
                    SELECT term.iri FROM geo_box JOIN term ON term.id = geo_box.name
                    WHERE geo_box.id BETWEEN ? AND ? ORDER BY geo_box.id
                    """,
                arguments: [rowid << 20, rowid << 20 | ((1 << 20) - 1)]
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
                numbers: numbers,
                strings: strings,
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
        numbers: [NumberValue],
        strings: [StringValue],
        geoNames: [String],
        typeAttributeKeys: [(String, String, String)]
    ) {
        self.schema = schema
        self.id = id
        self.document = document
        self.types = types
        self.attributeNames = attributeNames
        self.numbers = numbers
        self.strings = strings
        self.geoNames = geoNames
        self.typeAttributeKeys = typeAttributeKeys
    }
}
