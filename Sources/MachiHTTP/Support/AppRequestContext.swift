public import Hummingbird
public import MachiCore
import NIOCore
import OrderedCollections

/// The request context of every Machi route.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Who sends the request: set by `AuthenticationMiddleware` (`.openMode` until it runs).
    public var principal: Principal = .openMode
    /// The client's IP address (sign-in throttling), when the channel knows it.
    public var remoteAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are collected by the NGSI-LD edge with its own limit (`APILimits.maxBodyBytes`).
    public var maxUploadSize: Int { 64 * 1024 * 1024 }
}
