/// MachiIdentity: the common ID, principals, the OAuth 2.0 / OpenID Connect provider (JWT access tokens),
/// roles per tenant, consent records, pseudonymous external identifiers and the audit chain (docs/identity.md).
public enum MachiIdentity {}
