public import Foundation
import Synchronization

/// Slows down password guessing: after `Policy.freeAttempts` failed sign-ins for one account from one address,
/// every further attempt must wait, twice as long after each failure (1 s, 2 s, 4 s … up to `Policy.maxDelay`).
/// A success clears the record. Attempts during the wait are refused without checking the password (HTTP 429
/// with `Retry-After`), so a locked-out guesser learns nothing and costs no scrypt work.
///
/// The state is in memory (per process), keyed by account and address; entries idle for a day are dropped.
public final class SignInThrottle: Sendable {
    /// When delays start and how long they get.
    public struct Policy: Sendable, Hashable {
        public var freeAttempts: Int
        public var maxDelay: TimeInterval

        public init(freeAttempts: Int = 5, maxDelay: TimeInterval = 900) {
            self.freeAttempts = freeAttempts
            self.maxDelay = maxDelay
        }
    }

    /// The pure state machine: failures and the earliest next attempt per key.
    struct State: Sendable {
        struct Record: Sendable {
            var failures: Int
            var lockedUntil: Date
            var lastFailure: Date
        }

        var policy: Policy
        var records: [String: Record] = [:]

        /// Seconds to wait before `key` may try again, or `nil` if it may try now.
        func wait(_ key: String, now: Date) -> Int? {
            guard let record = records[key], record.lockedUntil > now else { return nil }
            return Int(record.lockedUntil.timeIntervalSince(now).rounded(.up))
        }

        mutating func failed(_ key: String, now: Date) {
            var record = records[key] ?? Record(failures: 0, lockedUntil: now, lastFailure: now)
            record.failures += 1
            record.lastFailure = now
            let over = record.failures - policy.freeAttempts
            if over >= 0 {
                let delay = min(policy.maxDelay, pow(2, Double(min(over, 30))))
                record.lockedUntil = now.addingTimeInterval(delay)
            }
            records[key] = record
            if records.count > 100_000 {
                records = records.filter { now.timeIntervalSince($0.value.lastFailure) < 86400 }
            }
        }

        mutating func succeeded(_ key: String) { records[key] = nil }
    }

    private let state: Mutex<State>

    public init(policy: Policy = Policy()) {
        state = Mutex(State(policy: policy))
    }

    static func key(account: String, address: String) -> String { "\(account.lowercased())\u{0}\(address)" }

    /// - Throws: `IdentityError.throttled` with `retryAfter` if this account and address must wait.
    public func check(account: String, address: String, now: Date) throws {
        let key = Self.key(account: account, address: address)
        if let wait = state.withLock({ $0.wait(key, now: now) }) {
            throw IdentityError(.throttled, "too many failed sign-ins; try again later", retryAfter: wait)
        }
    }

    /// Records the outcome of a password check.
    public func record(success: Bool, account: String, address: String, now: Date) {
        let key = Self.key(account: account, address: address)
        state.withLock { success ? $0.succeeded(key) : $0.failed(key, now: now) }
    }
}
