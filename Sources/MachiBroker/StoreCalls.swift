import MachiCore

/// Runs a store call, passing NGSI-LD errors through and turning any other failure into `InternalError`, so that
/// every use case throws `NGSIError` only.
func storeCall<T>(_ body: () async throws -> T) async throws(NGSIError) -> T {
    do {
        return try await body()
    } catch let error as NGSIError {
        throw error
    } catch {
        throw NGSIError(.internalError, "The store failed: \(String(describing: error))")
    }
}
