/// The explicit limits the API enforces on every request (documented in docs/limits.md).
public struct APILimits: Sendable {
    /// The largest request body accepted, in bytes (413 above it).
    public var maxBodyBytes: Int
    /// The deepest JSON nesting accepted (400 above it).
    public var maxJSONDepth: Int
    /// The longest `q` / `scopeQ` accepted, in characters.
    public var maxQueryLength: Int
    /// The page size used when `limit` is not given.
    public var defaultLimit: Int
    /// The largest `limit` accepted (403 TooManyResults above it).
    public var maxLimit: Int
    /// The most entities in one batch operation.
    public var maxBatchSize: Int

    public init(
        maxBodyBytes: Int = 8 * 1024 * 1024,
        maxJSONDepth: Int = 64,
        maxQueryLength: Int = 4096,
        defaultLimit: Int = 20,
        maxLimit: Int = 1000,
        maxBatchSize: Int = 10_000
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxJSONDepth = maxJSONDepth
        self.maxQueryLength = maxQueryLength
        self.defaultLimit = defaultLimit
        self.maxLimit = maxLimit
        self.maxBatchSize = maxBatchSize
    }
}
