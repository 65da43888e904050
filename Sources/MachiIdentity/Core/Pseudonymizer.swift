public import Crypto
import Foundation

/// Turns an external identifier (a My Number, a hospital's patient number, a card number) into a keyed pseudonym:
/// HMAC-SHA-256 with the deployment secret over the scheme and the normalized value.
///
/// The same number always gives the same pseudonym in one deployment, so records can be joined by it; without the
/// secret the pseudonym cannot be reversed or recomputed (a plain hash of a 12-digit number could be, by trying
/// every number). The number itself is never stored or logged.
public struct Pseudonymizer: Sendable {
    private let key: SymmetricKey

    /// - Parameter secret: the deployment secret (at least 32 bytes).
    public init(secret: SymmetricKey) {
        self.key = secret
    }

    /// The pseudonym of `value` in `scheme` (e.g. `mynumber`), as lowercase hex.
    /// - Throws: `IdentityError.invalidRequest` if the scheme or value is empty.
    public func pseudonym(scheme: String, value: String) throws -> String {
        let scheme = scheme.trimmingCharacters(in: .whitespaces).lowercased()
        let normalized = Self.normalize(value)
        guard !scheme.isEmpty, !normalized.isEmpty else {
            throw IdentityError(.invalidRequest, "an external identifier needs a scheme and a value")
        }
        var message = Data(scheme.utf8)
        message.append(0)
        message.append(contentsOf: normalized.utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Removes spaces and hyphens and folds full-width digits and letters, so `1234-5678-9012` and `１２３４ ５６７８ ９０１２`
    /// give the same pseudonym.
    static func normalize(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            // Full-width ASCII (U+FF01…U+FF5E) to ASCII; spaces, the ideographic space and hyphens dropped.
            let folded =
                (0xFF01...0xFF5E).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0xFEE0) ?? scalar : scalar
            if CharacterSet.whitespaces.contains(folded) || folded == "-" || folded == "\u{3000}" { continue }
            scalars.append(folded)
        }
        return String(scalars).uppercased()
    }
}
