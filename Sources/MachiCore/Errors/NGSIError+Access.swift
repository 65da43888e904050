extension NGSIError.Code {
    /// The request carries a bearer token that is malformed, forged, expired or revoked: 401. NGSI-LD defines no
    /// error type for authentication, so the type is `InvalidRequest` with status 401 (like 405, 406, 413, 415).
    public static let unauthenticated = NGSIError.Code(name: "InvalidRequest", status: 401)
    /// The caller is known but may not do this: 403, type `InvalidRequest` (NGSI-LD defines none).
    public static let accessDenied = NGSIError.Code(name: "InvalidRequest", status: 403)
}
