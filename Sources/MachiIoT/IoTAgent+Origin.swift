public import MachiBroker
public import MachiCore
public import MachiStore

extension IoTAgent {
    /// Who asks the agent to provision or to write: the audit trail records it with each write.
    public struct Origin: Sendable {
        public var principal: Principal
        public var requestId: String

        public init(principal: Principal, requestId: String) {
            self.principal = principal
            self.requestId = requestId
        }

        /// The agent itself (measures, autoprovisioning, commands).
        public static let agent = Origin(principal: .system("iot-agent"), requestId: "iot")

        /// The broker context of a write in `tenant` (`nil` for the default tenant).
        public func context(tenant: String?) -> BrokerContext {
            BrokerContext(tenant: tenant, requestId: requestId, principal: principal)
        }

        /// The audit context of a provisioning write.
        public var audit: AuditContext { AuditContext(principal: principal, requestId: requestId) }
    }
}
