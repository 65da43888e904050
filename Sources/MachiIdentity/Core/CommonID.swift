public import Foundation

/// The common ID (共通ID) of a principal: one stable URN per person, application or device, the only identifier
/// that tokens, consents and the audit trail carry.
///
/// ```swift
/// CommonID.person(UUID())          // urn:machi:person:7f3c…
/// CommonID.application("bus-app")  // urn:machi:application:bus-app
/// ```
public enum CommonID {
    public static let personPrefix = "urn:machi:person:"
    public static let applicationPrefix = "urn:machi:application:"
    public static let devicePrefix = "urn:machi:device:"

    /// A person's common ID.
    public static func person(_ id: UUID) -> String { personPrefix + id.uuidString.lowercased() }
    /// An OAuth 2.0 client's common ID.
    public static func application(_ clientId: String) -> String { applicationPrefix + clientId }
    /// A device's common ID.
    public static func device(_ id: String) -> String { devicePrefix + id }

    /// Whether `value` is a person's common ID.
    public static func isPerson(_ value: String) -> Bool {
        value.hasPrefix(personPrefix) && UUID(uuidString: String(value.dropFirst(personPrefix.count))) != nil
    }

    /// Client ids are short names: letters, digits, `-`, `_`, `.`; 1 to 64 characters.
    public static func isValidClientId(_ value: String) -> Bool {
        !value.isEmpty && value.count <= 64
            && value.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }
}
