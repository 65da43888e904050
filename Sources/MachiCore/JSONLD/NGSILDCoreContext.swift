/// A version of the NGSI-LD core @context (ETSI GS CIM 009, annex B) that Machi carries built in.
///
/// The core @context is implicitly part of every NGSI-LD request and response (clause 4.4): Machi never fetches it,
/// and ``JSONLDContext/resolve(_:core:limits:load:)`` recognises its URLs without calling the loader.
public enum NGSILDCoreContext: String, Sendable, CaseIterable {
    /// Core @context v1.6.
    case v1_6 = "1.6"
    /// Core @context v1.8, the version behind the unversioned URL and ``JSONLDContext/core``.
    case v1_8 = "1.8"
    /// Core @context v1.9.
    case v1_9 = "1.9"

    /// The version that the unversioned URL (``unversionedURL``) stands for.
    public static let defaultVersion = NGSILDCoreContext.v1_8

    /// `https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld`, which Machi reads as ``defaultVersion``.
    public static let unversionedURL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"

    /// The `@vocab` of every core @context version: the IRI prefix for terms that no @context defines.
    public static let defaultVocabulary = "https://uri.etsi.org/ngsi-ld/default-context/"

    /// The published URL of this version, e.g. `https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld`.
    public var url: String { "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v\(rawValue).jsonld" }

    /// The JSON text of this version, as published.
    public var text: String {
        switch self {
        case .v1_6: NGSILDCoreContext.textV1_6
        case .v1_8: NGSILDCoreContext.textV1_8
        case .v1_9: NGSILDCoreContext.textV1_9
        }
    }

    /// The core @context that `url` names, if it names one Machi carries (the versioned URLs and the unversioned one).
    public init?(url: String) {
        if url == NGSILDCoreContext.unversionedURL {
            self = NGSILDCoreContext.defaultVersion
            return
        }
        guard let version = NGSILDCoreContext.allCases.first(where: { $0.url == url }) else { return nil }
        self = version
    }
}
