import Dispatch
import GRDB
import Synchronization

/// Runs a tenant database's WAL checkpoints on a connection of its own, off the writer.
///
/// SQLite's auto-checkpoint runs inside the COMMIT that crosses its threshold (1,000 pages by default): that COMMIT
/// copies the log back into the database file and syncs it, which on the IoT write path took 10–90 ms every few
/// transactions, while every write queued behind it waited. Here the writer only signals its commits; a PASSIVE
/// checkpoint follows at most every `interval` on a dispatch thread, concurrently with the writer (SQLite allows
/// that in WAL mode; it copies only frames no reader needs). The writer keeps a much higher auto-checkpoint
/// threshold, `writerThreshold`, as a backstop should these checkpoints fall behind.
final class WALCheckpointer: Sendable {
    /// The writer's own auto-checkpoint threshold, in pages (about 40 MB of log).
    static let writerThreshold = 10_000
    /// The least time between two checkpoints.
    static let interval = DispatchTimeInterval.milliseconds(100)

    private struct State {
        var scheduled = false
        var stopped = false
    }

    private let state = Mutex(State())
    private let connection: DatabaseQueue

    /// Opens the checkpoint connection on the database file at `path` (already in WAL mode).
    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "machi.store.checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// A write transaction committed: a checkpoint follows within `interval` (one at a time).
    func committed() {
        let schedule = state.withLock { state -> Bool in
            guard !state.scheduled, !state.stopped else { return false }
            state.scheduled = true
            return true
        }
        guard schedule else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.interval) { [self] in
            // Commits from now on schedule the next checkpoint.
            let stopped = state.withLock { state in
                state.scheduled = false
                return state.stopped
            }
            guard !stopped else { return }
            // A failed checkpoint leaves the log as it is: the next one, or the writer's backstop, copies it.
            _ = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
        }
    }

    /// No checkpoint starts after this; the connection closes when the last scheduled one is done.
    func stop() {
        state.withLock { $0.stopped = true }
    }
}
