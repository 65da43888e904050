import Foundation
public import MachiCore
import MachiStore
import OrderedCollections
import Synchronization

/// `ImplicitlyCreated` @contexts (ETSI GS CIM 009, 5.13.1): when a subscription's @context is not a single URL, the
/// broker hosts that @context itself, so that the subscription's `jsonldContext` (and the notifications it sends) can
/// name it by one URL.
extension ContextResolver {
    /// Whether a subscription with this @context needs an implicitly created context: when the @context, without
    /// the core @context entries (implied anyway), is neither nothing nor one URL, i.e. an inline object or several
    /// entries.
    public static func needsImplicitContext(_ value: JSON) -> Bool {
        func isCore(_ entry: JSON) -> Bool {
            guard case .string(let url) = entry else { return false }
            return NGSILDCoreContext(url: url) != nil
        }
        switch value {
        case .null, .string: return false
        case .array(let items):
            let rest = items.filter { !isCore($0) }
            if rest.isEmpty { return false }
            if rest.count == 1, case .string = rest[0] { return false }
            return true
        default: return true
        }
    }

    /// Hosts `context` (a subscription's @context) as an `ImplicitlyCreated` context of `tenant`, persisted like a
    /// hosted one.
    /// - Throws: a store error.
    public func createImplicitContext(for context: JSON, tenant: String?) async throws -> StoredContext {
        let record = HostedContextRecord(
            id: "urn:ngsi-ld:context:" + UUID().uuidString.lowercased(),
            tenant: tenant ?? StoreTenant.defaultName,
            document: .object(["@context": context]),
            createdAt: Date(),
            kind: .implicitlyCreated
        )
        try await hostedStore?.saveHostedContext(record)
        let stored = hostedContext(record)
        state.withLock { $0.hosted[HostedKey(tenant: record.tenant, id: record.id)] = stored }
        return stored
    }

    /// Deletes the implicitly created context that `url` names in `tenant`, if there is one (a hosted context of
    /// that URL is left alone).
    /// - Throws: a store error.
    public func deleteImplicitContext(at url: String, tenant: String?) async throws {
        guard let key = ownKey(url, tenant: tenant) else { return }
        let exists = state.withLock { $0.hosted[key]?.kind == .implicitlyCreated }
        guard exists else { return }
        try await hostedStore?.deleteHostedContext(id: key.id, tenant: key.tenant)
        state.withLock {
            $0.hosted[key] = nil
            $0.processed.removeAll()
        }
    }

    /// Whether `link` (a subscription's `jsonldContext`) is a URL of this broker's `/jsonldContexts` that names an
    /// implicitly created context of `tenant`, or nothing any more (it was deleted). Such a subscription compacts
    /// and sends its notifications with its own @context instead.
    public func isImplicitOrGone(_ link: JSON, tenant: String?) -> Bool {
        guard case .string(let url) = link, let key = ownKey(url, tenant: tenant) else { return false }
        return state.withLock { state in
            guard let stored = state.hosted[key] else { return true }
            return stored.kind == .implicitlyCreated
        }
    }

    /// Whether `link` is a URL of this broker's `/jsonldContexts` under which `tenant` finds nothing.
    public func isGone(_ link: JSON, tenant: String?) -> Bool {
        guard case .string(let url) = link, let key = ownKey(url, tenant: tenant) else { return false }
        return state.withLock { $0.hosted[key] == nil }
    }

    /// The key of the hosted context `url` names, when `url` is under this broker's ``Configuration/hostedBaseURL``.
    func ownKey(_ url: String, tenant: String?) -> HostedKey? {
        guard url.hasPrefix(configuration.hostedBaseURL + "/"), let id = hostedId(in: url) else { return nil }
        return HostedKey(tenant: tenant ?? StoreTenant.defaultName, id: id)
    }
}
