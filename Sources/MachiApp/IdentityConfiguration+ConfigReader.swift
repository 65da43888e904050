public import Configuration
import Foundation
public import MachiIdentity

extension IdentityConfiguration {
    /// Reads the identity keys (unscoped):
    /// - `identity.issuer` (string, default `publicURL`): the `iss` of Machi's tokens and its OAuth base URL;
    /// - `identity.audience` (string, default `machi`): the `aud` tokens must carry;
    /// - `identity.token.lifetime` (int seconds, default 900), `identity.refresh.lifetime` (int seconds, default
    ///   30 days), `identity.keys.rotation.days` (int, default 30);
    /// - `identity.external.issuers` (string, optional): other OpenID providers whose JWTs are accepted, as
    ///   `ISSUER JWKS_URL [AUDIENCE]` entries separated by commas;
    /// - `identity.signin.free.attempts` (int, default 5), `identity.signin.max.delay` (int seconds, default 900);
    /// - `identity.password.cost` (int, default 15): log2 of scrypt's N for new password hashes (10…20).
    public init(reader: ConfigReader, publicURL: String) {
        let defaults = IdentityConfiguration(issuer: publicURL)
        let external = reader.string(forKey: "identity.external.issuers", default: "")
            .split(separator: ",")
            .compactMap { entry -> ExternalIssuer? in
                let fields = entry.split(separator: " ").map(String.init)
                guard fields.count >= 2 else { return nil }
                return ExternalIssuer(
                    issuer: fields[0],
                    jwksURL: fields[1],
                    audience: fields.count > 2 ? fields[2] : nil
                )
            }
        self.init(
            issuer: reader.string(forKey: "identity.issuer", default: publicURL),
            audience: reader.string(forKey: "identity.audience", default: defaults.audience),
            accessTokenLifetime: TimeInterval(
                reader.int(forKey: "identity.token.lifetime", default: Int(defaults.accessTokenLifetime))
            ),
            refreshTokenLifetime: TimeInterval(
                reader.int(forKey: "identity.refresh.lifetime", default: Int(defaults.refreshTokenLifetime))
            ),
            keyRotationDays: reader.int(forKey: "identity.keys.rotation.days", default: defaults.keyRotationDays),
            externalIssuers: external,
            throttle: .init(
                freeAttempts: reader.int(
                    forKey: "identity.signin.free.attempts",
                    default: defaults.throttle.freeAttempts
                ),
                maxDelay: TimeInterval(
                    reader.int(forKey: "identity.signin.max.delay", default: Int(defaults.throttle.maxDelay))
                )
            ),
            passwordCost: reader.int(forKey: "identity.password.cost", default: defaults.passwordCost)
        )
    }
}
