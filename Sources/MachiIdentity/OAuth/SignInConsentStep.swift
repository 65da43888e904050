public import Foundation
public import MachiStore

/// A step between a successful sign-in and the authorization code, where the resident answers the consent requests
/// of the application they sign in to (issue 6: consents "are created through an app's consent request that the
/// resident approves in the sign-in flow or the portal API"). The default, `NoConsentStep`, does nothing; the
/// server's step (`ConsentRequestStep` in MachiHTTP) asks the application's pending requests.
///
/// The step runs after every sign-in and on single sign-on, and again when the consent page posts its answers back
/// to `/oauth2/authorize`. It never renders HTML itself: it returns the questions, and the sign-in page renders
/// them with the authorization request's hidden fields and the same form token (CSRF protection) as the sign-in
/// form, so a page that posts back without the browser's token is refused before the step sees the answers.
public protocol SignInConsentStep: Sendable {
    /// What to do after `signIn.subject` signed in for `signIn.client`.
    func afterSignIn(_ signIn: SignInConsentRequest) async throws -> SignInConsentOutcome
}

/// A sign-in, as the consent step sees it.
public struct SignInConsentRequest: Sendable {
    /// The common ID of the person who signed in.
    public var subject: String
    /// The application they sign in to.
    public var client: ClientRecord
    /// The scopes the authorization request asks for.
    public var scopes: Set<String>
    /// The fields posted to `/oauth2/authorize` (the consent page's answers when it posts back, see
    /// `SignInConsentAnswers`); empty on a GET.
    public var form: [String: String]
    /// The HTTP request id, for the audit trail.
    public var requestId: String?

    public init(
        subject: String,
        client: ClientRecord,
        scopes: Set<String>,
        form: [String: String],
        requestId: String? = nil
    ) {
        self.subject = subject
        self.client = client
        self.scopes = scopes
        self.form = form
        self.requestId = requestId
    }
}

/// What the consent step decided.
public enum SignInConsentOutcome: Sendable, Hashable {
    /// Go on: issue the authorization code.
    case proceed
    /// Ask these questions first: the sign-in page shows them and posts the answers back to `/oauth2/authorize`,
    /// where they reach the step in `SignInConsentRequest.form`.
    case ask([SignInConsentQuestion])
    /// The user refused the sign-in itself: redirect with `error=access_denied`.
    case deny
}

/// One consent request shown on the consent page: what the application asks to read, for what, for how long.
public struct SignInConsentQuestion: Sendable, Hashable {
    /// The consent's id (`urn:machi:consent:…`).
    public var id: String
    /// The purpose the application states.
    public var purpose: String
    /// The entity types, as shown to the resident (short names where the core @context has them).
    public var entityTypes: [String]
    /// The attributes, as shown; `nil` for all of them.
    public var attributes: [String]?
    public var validFrom: Date
    /// `nil`: until revoked.
    public var validUntil: Date?

    public init(
        id: String,
        purpose: String,
        entityTypes: [String],
        attributes: [String]?,
        validFrom: Date,
        validUntil: Date?
    ) {
        self.id = id
        self.purpose = purpose
        self.entityTypes = entityTypes
        self.attributes = attributes
        self.validFrom = validFrom
        self.validUntil = validUntil
    }
}

/// The default consent step: proceeds at once.
public struct NoConsentStep: SignInConsentStep {
    public init() {}
    public func afterSignIn(_ signIn: SignInConsentRequest) async throws -> SignInConsentOutcome { .proceed }
}
