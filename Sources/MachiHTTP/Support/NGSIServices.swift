public import MachiBroker
import OrderedCollections

/// What the NGSI-LD routes need from the layers below.
public struct NGSIServices: Sendable {
    public var entities: EntityService
    public var contexts: ContextResolver
    /// `nil`: the subscription API answers 501.
    public var subscriptions: SubscriptionService?
    /// `nil`: the temporal API answers 501.
    public var temporal: TemporalService?
    public var limits: APILimits

    public init(
        entities: EntityService,
        contexts: ContextResolver,
        subscriptions: SubscriptionService? = nil,
        temporal: TemporalService? = nil,
        limits: APILimits = APILimits()
    ) {
        self.temporal = temporal
        self.entities = entities
        self.contexts = contexts
        self.subscriptions = subscriptions
        self.limits = limits
    }
}
