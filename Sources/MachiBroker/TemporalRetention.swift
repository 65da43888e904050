public import Foundation

/// How long each tenant keeps its attribute instances (the temporal evolution): a number of days for every tenant,
/// overridden per tenant. `nil` days keep everything.
public struct TemporalRetention: Sendable, Hashable {
    /// Days kept in tenants without an override; `nil` keeps everything.
    public var days: Int?
    /// Tenant name → days kept there (0 or less: keep everything).
    public var tenantDays: [String: Int]

    public init(days: Int? = nil, tenantDays: [String: Int] = [:]) {
        self.days = days
        self.tenantDays = tenantDays
    }

    /// Whether anything is ever deleted.
    public var isActive: Bool { (days ?? 0) > 0 || tenantDays.values.contains { $0 > 0 } }

    /// Instances recorded before this time are deleted in `tenant` (store name; `""` is the default tenant).
    public func cutoff(for tenant: String, now: Date) -> Date? {
        let kept = tenant.isEmpty ? days : (tenantDays[tenant] ?? days)
        guard let kept, kept > 0 else { return nil }
        return now.addingTimeInterval(-Double(kept) * 86_400)
    }

    /// Reads `tenant=days` pairs separated by commas (`shiojiri=30, okaya=365`).
    /// - Throws: `RetentionError` naming the pair that is not `name=days`.
    public static func tenantDays(_ text: String) throws(RetentionError) -> [String: Int] {
        var result: [String: Int] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let days = Int(parts[1]) else {
                throw RetentionError(pair: String(pair))
            }
            result[parts[0]] = days
        }
        return result
    }
}

/// A retention setting that is not `tenant=days`.
public struct RetentionError: Error, Sendable, CustomStringConvertible {
    public var pair: String
    public var description: String { "temporal retention \"\(pair)\" is not tenant=days" }
}
