import Foundation
import Logging
import MachiIdentity
import ServiceLifecycle

/// Every `interval`: rotates the signing key when due, drops keys no token needs any more, and deletes expired
/// authorization codes, refresh tokens and revoked-token entries.
struct IdentityMaintenanceService: Service {
    let oauth: OAuthService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { break }
                do {
                    try await oauth.prepare()
                } catch {
                    logger.error("identity maintenance failed", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        }
    }
}
