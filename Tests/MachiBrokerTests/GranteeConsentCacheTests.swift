import Foundation
import MachiCore
import Testing

@testable import MachiBroker

/// The consent cache may serve an application's consents only as they are after the last write.
@Suite struct GranteeConsentCacheTests {
    let key = GranteeConsentCache.Key(tenant: "shiojiri", grantee: "boshi-app")
    let granted = Consent(
        id: "urn:machi:consent:1",
        owner: "urn:machi:person:hanako",
        grantee: "boshi-app",
        purpose: "checkup",
        entityTypes: ["https://example.org/MaternalHandbookRecord"],
        attributes: nil,
        validFrom: Date(timeIntervalSince1970: 0),
        validUntil: nil,
        status: .granted,
        createdAt: Date(timeIntervalSince1970: 0)
    )

    @Test func aLoadThatRacedWithAWriteIsNotKept() {
        let cache = GranteeConsentCache()
        let (_, generation) = cache.cached(key)
        // The load read the grant from the store; meanwhile the owner revoked it and the write invalidated.
        cache.invalidate(key)
        cache.keep([granted], for: key, loadedAt: generation)
        #expect(cache.cached(key).consents == nil)
    }

    @Test func aWriteDropsOnlyItsApplicationsEntry() {
        let cache = GranteeConsentCache()
        let other = GranteeConsentCache.Key(tenant: "shiojiri", grantee: "bus-app")
        cache.keep([granted], for: key, loadedAt: cache.cached(key).generation)
        cache.keep([], for: other, loadedAt: cache.cached(other).generation)
        cache.invalidate(key)
        #expect(cache.cached(key).consents == nil)
        #expect(cache.cached(other).consents == [])
    }
}
