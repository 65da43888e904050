import Foundation
import Logging
import MachiBroker
import MachiStore
import ServiceLifecycle

/// Applies the temporal retention setting: at start and then every `interval`, deletes the attribute instances
/// each tenant no longer keeps.
struct RetentionService: Service {
    let store: any TemporalStore
    let retention: TemporalRetention
    let interval: Duration
    let logger: Logger

    func run() async throws {
        guard retention.isActive else {
            // Nothing to sweep: stay until shutdown, since a service that returns ends the whole service group.
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func sweep() async {
        let retention = self.retention
        let now = Date()
        do {
            let deleted = try await store.deleteInstances(recordedBefore: { retention.cutoff(for: $0, now: now) })
            for (tenant, count) in deleted {
                logger.info(
                    "temporal retention",
                    metadata: ["tenant": "\(tenant.isEmpty ? "(default)" : tenant)", "instances.deleted": "\(count)"]
                )
            }
        } catch {
            logger.error("temporal retention failed", metadata: ["error": "\(error)"])
        }
    }
}
