public import MachiCore

/// Fetches remote JSON-LD @context documents (implemented over HTTP at the edge; a fake in tests).
public protocol ContextDocumentLoader: Sendable {
    /// The JSON document at `url`.
    /// - Throws: `NGSIError` `LdContextNotAvailable` when it cannot be had.
    func load(url: String) async throws(NGSIError) -> JSON
}

/// A loader that never fetches: every remote context is unavailable.
public struct OfflineContextLoader: ContextDocumentLoader {
    public init() {}
    public func load(url: String) async throws(NGSIError) -> JSON {
        throw NGSIError(
            .ldContextNotAvailable,
            "Remote @context \(url) cannot be fetched (remote contexts are disabled)"
        )
    }
}
