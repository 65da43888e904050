/// How Machi treats callers (`auth.mode`, `machi serve --auth`).
public enum AuthMode: String, Sendable, CaseIterable {
    /// Everything is allowed to everyone (local development, the conformance suite); printed as a warning at start.
    case open
    /// Bearer tokens are verified; a request without one is anonymous, a bad one gets 401.
    case required
}
