import MachiBroker
import MachiCore
import MachiIdentity

/// How `machi serve` checks a subscription's reader at each delivery: as the identity directory has it now
/// (`CurrentPrincipals`: roles as they are, gone when its user is deleted or disabled or its client removed), and
/// still allowed to read the tenant by the one access policy. A reader that is gone or may no longer read gets no
/// deliveries at all.
struct IdentitySubscriptionReaders: SubscriptionReaders {
    let principals: CurrentPrincipals
    let policy: AccessPolicy

    func current(_ principal: Principal, tenant: String) async throws -> Principal? {
        guard let current = try await principals.current(principal) else { return nil }
        do {
            try policy.authorize(current, .read, tenant: tenant)
        } catch {
            return nil
        }
        return current
    }
}
