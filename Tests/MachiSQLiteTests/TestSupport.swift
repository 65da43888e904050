import Foundation
import MachiSQLite

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("machi-sqlite-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The names of the files in the directory.
    func fileNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Runs `body` with a store on a new temporary directory, then closes the store and removes the directory.
func withDirectoryStore<T>(
    configure: (inout SQLiteStoreConfiguration) -> Void = { _ in },
    _ body: (SQLiteEntityStore, TemporaryDirectory) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    var configuration = SQLiteStoreConfiguration(storage: .directory(directory.url))
    configure(&configuration)
    let store = try SQLiteEntityStore(configuration: configuration, logger: SQLiteEntityStore.silentLogger)
    do {
        let result = try await body(store, directory)
        try store.close()
        return result
    } catch {
        try? store.close()
        throw error
    }
}

/// An in-memory store.
func memoryStore() throws -> SQLiteEntityStore {
    try SQLiteEntityStore(
        configuration: SQLiteStoreConfiguration(storage: .inMemory),
        logger: SQLiteEntityStore.silentLogger
    )
}
