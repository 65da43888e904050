public import MachiCore

/// Who caused an audited event, as the audit trail records it: the principal's subject, kind and OAuth 2.0 client.
public struct AuditActor: Sendable, Hashable {
    /// The common ID of the subject (`urn:machi:person:<uuid>`, `urn:machi:system:iot-agent`, …).
    public var subject: String
    /// `person`, `application`, `device`, `anonymous` or `system` (`Principal.Kind`).
    public var kind: String
    /// The OAuth 2.0 client the request came through, if any.
    public var clientId: String?

    public init(subject: String, kind: String, clientId: String? = nil) {
        self.subject = subject
        self.kind = kind
        self.clientId = clientId
    }

    /// The actor for `principal`.
    public init(_ principal: Principal) {
        self.init(subject: principal.subject, kind: principal.kind.rawValue, clientId: principal.clientId)
    }
}

/// What a store write (or a recorded read) carries for the audit trail: who acts, in which request, for what
/// purpose. The broker builds it from its `BrokerContext`.
public struct AuditContext: Sendable, Hashable {
    public var actor: AuditActor
    /// The request id, linking the record to the server's logs.
    public var requestId: String?
    /// The purpose the caller stated (for reads of personal data).
    public var purpose: String?

    public init(actor: AuditActor, requestId: String? = nil, purpose: String? = nil) {
        self.actor = actor
        self.requestId = requestId
        self.purpose = purpose
    }

    /// The context of `principal` acting in request `requestId`.
    public init(principal: Principal, requestId: String?, purpose: String? = nil) {
        self.init(actor: AuditActor(principal), requestId: requestId, purpose: purpose)
    }

    /// A write that no caller attributed (tests, tools that call the store directly).
    public static let unattributed = AuditContext(
        actor: AuditActor(subject: "urn:machi:system:unattributed", kind: Principal.Kind.system.rawValue)
    )

    /// The event `action` on `target` in `tenant`, attributed to this context.
    public func event(
        _ action: AuditAction,
        target: String?,
        tenant: String,
        dataOwner: String? = nil,
        detail: JSON? = nil
    ) -> AuditEvent {
        AuditEvent(
            action: action,
            actor: actor,
            target: target,
            tenant: tenant,
            requestId: requestId,
            purpose: purpose,
            dataOwner: dataOwner,
            detail: detail
        )
    }
}
