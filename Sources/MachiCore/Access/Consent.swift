public import Foundation

/// A resident's consent that one application may read some of their personal data for one purpose (MIM4): the
/// owner's common ID, the grantee's OAuth 2.0 `client_id`, the purpose, the entity types (expanded IRIs) and,
/// optionally, only some attributes, for a period. An application asks (`requested`); the owner grants or denies;
/// the owner may revoke a grant at any time, and reads stop at once.
public struct Consent: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case requested, granted, denied, revoked
    }

    /// `urn:machi:consent:<uuid>`.
    public var id: String
    /// The common ID of the person whose data it is.
    public var owner: String
    /// The OAuth 2.0 `client_id` of the application that may read.
    public var grantee: String
    /// What the data is read for, as the application states it (e.g. `maternal-health-checkup`).
    public var purpose: String
    /// The entity types (expanded IRIs) it covers.
    public var entityTypes: [String]
    /// The attributes (expanded IRIs) it covers; `nil` for all of them.
    public var attributes: [String]?
    public var validFrom: Date
    /// When it ends by itself; `nil` for never (until revoked).
    public var validUntil: Date?
    public var status: Status
    public var createdAt: Date
    public var modifiedAt: Date

    public init(
        id: String,
        owner: String,
        grantee: String,
        purpose: String,
        entityTypes: [String],
        attributes: [String]? = nil,
        validFrom: Date,
        validUntil: Date? = nil,
        status: Status = .requested,
        createdAt: Date,
        modifiedAt: Date? = nil
    ) {
        self.id = id
        self.owner = owner
        self.grantee = grantee
        self.purpose = purpose
        self.entityTypes = entityTypes
        self.attributes = attributes
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.status = status
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt ?? createdAt
    }

    /// Granted, and `time` lies in its period.
    public func isInForce(at time: Date) -> Bool {
        status == .granted && validFrom <= time && validUntil.map { time < $0 } ?? true
    }

    /// Whether it lets `grantee` read an entity of `owner` with one of `types`, for `purpose`, at `time`.
    public func permits(grantee: String, owner: String, types: [String], purpose: String?, at time: Date) -> Bool {
        isInForce(at: time) && self.grantee == grantee && self.owner == owner && purpose == self.purpose
            && types.contains(where: entityTypes.contains)
    }
}
