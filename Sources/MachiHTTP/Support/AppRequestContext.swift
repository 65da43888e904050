public import Hummingbird
public import MachiCore
import OrderedCollections

/// The request context of every Machi route.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who sends the request: set by the authentication middleware; everything is allowed until it runs
    /// (`--auth open`).
    public var principal: Principal = .openMode

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Bodies are collected by the NGSI-LD edge with its own limit (`APILimits.maxBodyBytes`).
    public var maxUploadSize: Int { 64 * 1024 * 1024 }
}
