public import MachiCore

/// Where a subscription's reader is checked again at every delivery: the reader is stored with the subscription as
/// its creator's principal when it was created, but deliveries must read as that principal is *now* (a deleted or
/// disabled user, a removed client, roles taken away). The identity provider implements it (MachiApp wires it);
/// the broker knows nothing of users and clients.
public protocol SubscriptionReaders: Sendable {
    /// `principal` as it stands now for reading `tenant` (store name: `""` is the default tenant): with its current
    /// roles, or `nil` when it may not read the tenant at all any more — then nothing is delivered.
    /// - Throws: when the directory cannot be read (the delivery is tried again later).
    func current(_ principal: Principal, tenant: String) async throws -> Principal?
}
