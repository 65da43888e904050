import Logging
import Synchronization

/// Logs failures at most once per `interval` per key, with the number of failures suppressed in between, so a
/// server outage does not flood the log with 200 lines per second.
final class ErrorReporter: Sendable {
    private struct Entry {
        var lastLogged: ContinuousClock.Instant
        var suppressed: Int
    }

    private let logger: Logger
    private let interval: Duration
    private let entries = Mutex<[String: Entry]>([:])

    init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Logs `message` at warning level unless `key` was logged less than `interval` ago.
    func report(_ key: String, _ message: Logger.Message, metadata: Logger.Metadata = [:]) {
        let now = ContinuousClock.now
        let suppressed: Int? = self.entries.withLock { entries in
            if let entry = entries[key], entry.lastLogged + self.interval > now {
                entries[key]?.suppressed += 1
                return nil
            }
            let suppressed = entries[key]?.suppressed ?? 0
            entries[key] = Entry(lastLogged: now, suppressed: 0)
            return suppressed
        }
        guard let suppressed else { return }
        var metadata = metadata
        metadata["demo.failure"] = "\(key)"
        if suppressed > 0 { metadata["demo.suppressed"] = "\(suppressed)" }
        self.logger.warning(message, metadata: metadata)
    }
}
