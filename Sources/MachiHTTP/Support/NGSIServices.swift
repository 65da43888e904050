public import MachiBroker
import OrderedCollections

/// What the NGSI-LD routes need from the layers below.
public struct NGSIServices: Sendable {
    public var entities: EntityService
    public var contexts: ContextResolver
    public var limits: APILimits

    public init(entities: EntityService, contexts: ContextResolver, limits: APILimits = APILimits()) {
        self.entities = entities
        self.contexts = contexts
        self.limits = limits
    }
}
