import MachiCore

/// A step between a successful sign-in and the authorization code: the consent screen hooks in here (issue 6,
/// consent). The default does nothing.
public protocol SignInConsentStep: Sendable {
    /// What to do after `subject` signed in for `clientId` asking for `scopes`. `form` holds the fields posted to
    /// `/oauth2/authorize` (the consent page's answers when it posts back), empty on a GET.
    func afterSignIn(
        subject: String,
        clientId: String,
        scopes: Set<String>,
        form: [String: String]
    ) async throws -> SignInConsentOutcome
}

/// What the consent step decided.
public enum SignInConsentOutcome: Sendable {
    /// Go on: issue the authorization code.
    case proceed
    /// Show this HTML form instead (it posts back to `/oauth2/authorize` with the same hidden fields).
    case showPage(html: String)
    /// The user refused: redirect with `error=access_denied`.
    case deny
}

/// The default consent step: proceeds at once.
public struct NoConsentStep: SignInConsentStep {
    public init() {}
    public func afterSignIn(
        subject: String,
        clientId: String,
        scopes: Set<String>,
        form: [String: String]
    ) async throws -> SignInConsentOutcome {
        .proceed
    }
}
