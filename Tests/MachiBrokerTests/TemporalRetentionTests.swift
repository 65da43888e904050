import Foundation
import MachiBroker
import Testing

/// Which instances each tenant keeps.
struct TemporalRetentionTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func daysApplyToEveryTenantUnlessOverridden() {
        let retention = TemporalRetention(days: 30, tenantDays: ["shiojiri": 7, "archive": 0])
        #expect(retention.cutoff(for: "", now: now) == now.addingTimeInterval(-30 * 86_400))
        #expect(retention.cutoff(for: "okaya", now: now) == now.addingTimeInterval(-30 * 86_400))
        #expect(retention.cutoff(for: "shiojiri", now: now) == now.addingTimeInterval(-7 * 86_400))
        #expect(retention.cutoff(for: "archive", now: now) == nil)
        #expect(retention.isActive)
    }

    @Test func withoutDaysEverythingIsKept() {
        let retention = TemporalRetention()
        #expect(retention.cutoff(for: "", now: now) == nil)
        #expect(!retention.isActive)
        #expect(TemporalRetention(tenantDays: ["shiojiri": 7]).cutoff(for: "okaya", now: now) == nil)
    }

    @Test func tenantOverridesAreRead() throws {
        #expect(try TemporalRetention.tenantDays("shiojiri=30, okaya = 365") == ["shiojiri": 30, "okaya": 365])
        #expect(try TemporalRetention.tenantDays("") == [:])
        for bad in ["shiojiri", "shiojiri=thirty", "=30", "a=1,b"] {
            #expect(throws: RetentionError.self, "\(bad)") { try TemporalRetention.tenantDays(bad) }
        }
    }
}
