import Dispatch
import Foundation
import GRDB

/// The raw SQLite ceiling: what GRDB and SQLite do for Machi's rows with nothing else in the way.
///
/// Every database is a `DatabasePool` (WAL, reader pool) configured as Machi configures its tenant databases by
/// default (`pragmas`, 5 s busy timeout, 4 readers, GRDB's defaults otherwise), on the same file system as Machi's
/// data in a `scripts/bench` run. Rows are prepared and the sample's terms interned before the clock starts.
struct RawSQLiteBenchmark {
    /// Machi's per-connection pragmas with its default configuration (`TenantDatabase`, `SQLiteStoreConfiguration`).
    static let pragmas = [
        "synchronous = FULL", "cache_size = -65536", "mmap_size = 1073741824", "temp_store = MEMORY",
    ]

    var directory: URL
    var rows: Int
    var batchSize: Int
    var readSeconds: Double
    var singleSeconds: Double
    var sample: SampleEntity

    /// One entity's rows, ready to insert.
    struct PreparedEntity {
        var id: String
        var document: String
        /// Parallel to `sample.numbers`.
        var numbers: [Double]
        /// Parallel to `sample.strings`.
        var strings: [String]
        var box: (Double, Double, Double, Double)
    }

    /// The term ids of the sample's index rows in a benchmark database, parallel to the sample's arrays. Interned
    /// once up front: Machi's term cache holds them after the first entity of each transaction.
    struct SampleTerms {
        var types: [Int64]
        var attributeNames: [Int64]
        var numberNames: [Int64]
        var stringNames: [Int64]
        var geoNames: [Int64]
    }

    func run() throws -> [String: Any] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let entities = prepare(count: rows, offset: 0)
        var report: [String: Any] = [
            "rows": rows,
            "batch_size": batchSize,
            "document_bytes": sample.document.utf8.count,
            "index_rows_per_entity": sample.indexRows.values.reduce(0, +),
            "index_rows": sample.indexRows,
            "counter_rows_per_transaction": sample.types.count + sample.typeAttributeKeys.count,
            "pragmas": Self.pragmas,
        ]

        // Batched inserts of the entity row only: the floor of the floor.
        let entityOnly = try openPool("entity-only.sqlite")
        let entityOnlySeconds = try time {
            for start in stride(from: 0, to: entities.count, by: batchSize) {
                try entityOnly.write { db in
                    let insert = try db.cachedStatement(
                        sql: "INSERT INTO entity (id, doc, created_at, modified_at) VALUES (?, ?, ?, ?)"
                    )
                    for entity in entities[start..<min(start + batchSize, entities.count)] {
                        try insert.execute(arguments: [
                            entity.id, entity.document, "2026-11-21T09:00:00Z", "2026-11-21T09:00:00Z",
                        ])
                    }
                }
            }
        }
        try entityOnly.close()
        report["batch_entity_only"] = rate(entities.count, entityOnlySeconds)

        // Batched inserts of every row Machi writes for an entity: the matching ceiling for batch upsert.
        let pool = try openPool("full.sqlite")
        let terms = try intern(pool)
        let fullSeconds = try time {
            for start in stride(from: 0, to: entities.count, by: batchSize) {
                let batch = entities[start..<min(start + batchSize, entities.count)]
                try pool.write { db in try insert(batch, terms: terms, db: db) }
            }
        }
        report["batch_full"] = rate(entities.count, fullSeconds)

        // One transaction per entity (an fsync per commit with synchronous = FULL): context for single creates.
        // About 1,200 commits/s with an fsync each on the machine this was written on: prepare plenty.
        let extra = prepare(count: max(1000, Int(self.singleSeconds * 20_000)), offset: rows)
        var singles = 0
        let singleSeconds = try time {
            let deadline = ContinuousClock.now + .milliseconds(Int(self.singleSeconds * 1000))
            while singles < extra.count && ContinuousClock.now < deadline {
                try pool.write { db in try insert(extra[singles..<singles + 1], terms: terms, db: db) }
                singles += 1
            }
        }
        report["single_transaction"] = rate(singles, singleSeconds)

        // Point reads of the same rows, one pool read per lookup (as a request does), by 1 and 2 threads.
        let ids = entities.map(\.id)
        let readMilliseconds = Int(readSeconds * 1000)
        for threads in [1, 2] {
            let counts = ReadCounts(threads: threads)
            let seconds = time {
                DispatchQueue.concurrentPerform(iterations: threads) { index in
                    var generator = SplitMix64(seed: UInt64(index + 1))
                    let deadline = ContinuousClock.now + .milliseconds(readMilliseconds)
                    var done = 0
                    while ContinuousClock.now < deadline {
                        let id = ids[Int(generator.next() % UInt64(ids.count))]
                        let found = try? pool.read { db in
                            try Row.fetchOne(
                                db.cachedStatement(sql: "SELECT rowid, doc FROM entity WHERE id = ?"),
                                arguments: [id]
                            ) != nil
                        }
                        if found == true { done += 1 }
                    }
                    counts.set(index, done)
                }
            }
            report["point_read_\(threads)_thread\(threads == 1 ? "" : "s")"] = rate(counts.total, seconds)
        }
        try pool.close()
        return report
    }

    /// Inserts the entity row and every index row of each entity, with the statements Machi's `EntityWriter`
    /// runs, then adjusts the type counters once for the batch, as Machi's `TypeCounters` does.
    private func insert(_ batch: ArraySlice<PreparedEntity>, terms: SampleTerms, db: Database) throws {
        let entity = try db.cachedStatement(
            sql: "INSERT INTO entity (id, doc, created_at, modified_at) VALUES (?, ?, ?, ?)"
        )
        let type = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO entity_type (type, entity_rowid) VALUES (?, ?)"
        )
        let attribute = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO attr (name, entity_rowid) VALUES (?, ?)"
        )
        let number = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO attr_num (name, num, entity_rowid) VALUES (?, ?, ?)"
        )
        let string = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO attr_str (name, str, entity_rowid) VALUES (?, ?, ?)"
        )
        let geoBox = try db.cachedStatement(
            sql: """
                INSERT INTO geo_box (id, min_lon, max_lon, min_lat, max_lat, entity_rowid, name)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        )
        for prepared in batch {
            try entity.execute(arguments: [
                prepared.id, prepared.document, "2026-11-21T09:00:00Z", "2026-11-21T09:00:00Z",
            ])
            let rowid = db.lastInsertedRowID
            for name in terms.types { try type.execute(arguments: [name, rowid]) }
            for name in terms.attributeNames { try attribute.execute(arguments: [name, rowid]) }
            for (name, value) in zip(terms.numberNames, prepared.numbers) {
                try number.execute(arguments: [name, value, rowid])
            }
            for (name, value) in zip(terms.stringNames, prepared.strings) {
                try string.execute(arguments: [name, value, rowid])
            }
            let (minLon, maxLon, minLat, maxLat) = prepared.box
            for (ordinal, name) in terms.geoNames.enumerated() {
                // Ids as Machi's `GeoBoxID`: `entity_rowid << 20 | ordinal`.
                try geoBox.execute(arguments: [
                    rowid << 20 | Int64(ordinal), minLon, maxLon, minLat, maxLat, rowid, name,
                ])
            }
        }
        // The counters once per transaction, as Machi's `TypeCounters.apply` (an update, an insert if missing).
        let count = batch.count
        for name in sample.types {
            try db.cachedStatement(sql: "UPDATE type_stat SET entity_count = MAX(entity_count + ?, 0) WHERE type = ?")
                .execute(arguments: [count, name])
            if db.changesCount == 0 {
                try db.cachedStatement(sql: "INSERT INTO type_stat (type, entity_count) VALUES (?, ?)")
                    .execute(arguments: [name, count])
            }
        }
        for (type, name, kind) in sample.typeAttributeKeys {
            try db.cachedStatement(
                sql: """
                    UPDATE type_attr_stat SET entity_count = MAX(entity_count + ?, 0)
                    WHERE type = ? AND name = ? AND kind = ?
                    """
            ).execute(arguments: [count, type, name, kind])
            if db.changesCount == 0 {
                try db.cachedStatement(
                    sql: "INSERT INTO type_attr_stat (type, name, kind, entity_count) VALUES (?, ?, ?, ?)"
                ).execute(arguments: [type, name, kind, count])
            }
        }
    }

    /// Interns the sample's terms in the database of `pool`, once, as Machi's `TermTable` would.
    private func intern(_ pool: DatabasePool) throws -> SampleTerms {
        try pool.write { db in
            var ids: [String: Int64] = [:]
            for iri in sample.terms {
                try db.execute(sql: "INSERT INTO term (iri) VALUES (?)", arguments: [iri])
                ids[iri] = db.lastInsertedRowID
            }
            let id = { (iri: String) in ids[iri] ?? 0 }  // every name is in `sample.terms`
            return SampleTerms(
                types: sample.types.map(id),
                attributeNames: sample.attributeNames.map(id),
                numberNames: sample.numbers.map { id($0.name) },
                stringNames: sample.strings.map { id($0.name) },
                geoNames: sample.geoNames.map(id)
            )
        }
    }

    /// Entities `offset ..< offset + count`: Machi's sample document under a new id, varied numbers, strings that
    /// end with the sample's number (the last part of its id, as in `Shiojiri river gauge 0` or
    /// `urn:ngsi-ld:Device:shiojiri:0`) ending with the entity's instead, and a point in Shiojiri.
    private func prepare(count: Int, offset: Int) -> [PreparedEntity] {
        var generator = SplitMix64(seed: UInt64(offset + 7))
        let parts = sample.id.split(separator: ":")
        let prefix = parts.dropLast().joined(separator: ":")
        let sampleNumber = parts.last.map(String.init) ?? ""
        // The document around its id, split once: `replacingOccurrences` per row is slow on Linux.
        let pieces = sample.document.components(separatedBy: sample.id)
        return (offset..<offset + count).map { n in
            let id = "\(prefix):\(n)"
            let numbers = sample.numbers.map { $0.number * (0.5 + generator.unit()) }
            let strings = sample.strings.map { value in
                guard !sampleNumber.isEmpty, value.string.hasSuffix(sampleNumber) else { return value.string }
                return String(value.string.dropLast(sampleNumber.count)) + "\(n)"
            }
            let lon = 137.90 + 0.09 * generator.unit()
            let lat = 36.05 + 0.10 * generator.unit()
            return PreparedEntity(
                id: id,
                document: pieces.joined(separator: id),
                numbers: numbers,
                strings: strings,
                box: (lon, lon, lat, lat)
            )
        }
    }

    private func openPool(_ name: String) throws -> DatabasePool {
        let path = directory.appendingPathComponent(name).path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        var configuration = Configuration()
        configuration.label = "machi-baseline"
        configuration.busyMode = .timeout(5)
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            for pragma in Self.pragmas { try db.execute(sql: "PRAGMA \(pragma)") }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            for statement in sample.schema { try db.execute(sql: statement) }
        }
        return pool
    }

    private func time(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func rate(_ count: Int, _ seconds: Double) -> [String: Any] {
        ["count": count, "seconds": seconds, "per_s": seconds > 0 ? Double(count) / seconds : 0]
    }
}

/// Per-thread counters for the concurrent read loop.
/// `@unchecked Sendable`: each thread writes only its own slot, under the lock; the total is read after the
/// threads have joined.
private final class ReadCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int]

    init(threads: Int) { counts = Array(repeating: 0, count: threads) }

    func set(_ index: Int, _ value: Int) { lock.withLock { counts[index] = value } }

    var total: Int { lock.withLock { counts.reduce(0, +) } }
}

/// A small deterministic generator, so every run reads and writes the same rows.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0 ..< 1`.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
