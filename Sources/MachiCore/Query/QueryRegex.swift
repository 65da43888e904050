import Foundation
import Synchronization

/// Compiled regular expressions for `~=`, `!~=` and `idPattern`, cached because a query is evaluated once per
/// candidate entity.
///
/// Patterns use ICU syntax (`NSRegularExpression`), a superset of the POSIX extended expressions that
/// ETSI GS CIM 009 4.9 names. Matching is a search: the pattern may match anywhere in the value.
public enum QueryRegex {
    /// The most patterns kept; the cache is emptied when it is full.
    static let capacity = 512
    private static let cache = Mutex<[String: CachedRegex]>([:])

    /// The compiled pattern, or `nil` if it is not a valid regular expression.
    static func compile(_ pattern: String) -> NSRegularExpression? {
        if let cached = cache.withLock({ $0[pattern] }) { return cached.regex }
        let regex = try? NSRegularExpression(pattern: pattern)
        cache.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[pattern] = CachedRegex(regex: regex)
        }
        return regex
    }

    /// Checks that `pattern` compiles.
    /// - Throws: `NGSIError` `BadRequestData` naming `parameter` if it does not.
    public static func validate(_ pattern: String, parameter: String) throws(NGSIError) {
        guard compile(pattern) != nil else {
            throw NGSIError(.badRequestData, "\(parameter) is not a valid regular expression")
        }
    }

    /// Whether `pattern` matches somewhere in `value`; `false` for an invalid pattern. A store can register this
    /// as its SQL `REGEXP` function to pre-filter exactly like `matches(_:)`.
    public static func matches(_ pattern: String, _ value: String) -> Bool {
        guard let regex = compile(pattern) else { return false }
        let range = NSRange(value.startIndex..<value.endIndex, in: value)
        return regex.firstMatch(in: value, options: [], range: range) != nil
    }
}

/// A cache entry; `NSRegularExpression` is immutable once created and documented as thread safe.
private struct CachedRegex: @unchecked Sendable {
    let regex: NSRegularExpression?
}
