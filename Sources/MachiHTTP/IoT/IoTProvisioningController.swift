import Hummingbird
import MachiCore
import MachiIoT

/// FIWARE's IoT Agent provisioning API (iotagent-node-lib) under `/iot`: service groups (`/iot/groups`, and the
/// deprecated `/iot/services`), devices (`/iot/devices`, batch `/iot/op/delete`) and `/iot/about`.
struct IoTProvisioningController {
    let agent: IoTAgent
    let version: String

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("about") { _, _ in
            IoTExchange.json([
                "libVersion": .string(version), "version": .string(version), "baseRoot": "/", "port": "1026",
            ])
        }
        for (path, key) in [("groups", "groups"), ("services", "services")] {
            router.get(RouterPath(path)) { request, _ in try listGroups(request, key: key) }
            router.post(RouterPath(path)) { request, context in try await createGroups(request, context, key: key) }
            router.put(RouterPath(path)) { request, context in try await updateGroup(request, context) }
            router.delete(RouterPath(path)) { request, context in try await deleteGroup(request, context) }
        }
        router.get("devices") { request, _ in try listDevices(request) }
        router.post("devices") { request, context in try await createDevices(request, context) }
        router.get("devices/{id}") { request, context in try device(request, context) }
        router.put("devices/{id}") { request, context in try await updateDevice(request, context) }
        router.delete("devices/{id}") { request, context in try await deleteDevice(request, context) }
        router.post("op/delete") { request, context in try await deleteDevices(request, context) }
    }

    // MARK: Service groups

    func listGroups(_ request: Request, key: String) throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        var groups = agent.groups(service: exchange.service, subservice: exchange.servicePath)
        if let resource = exchange.query("resource") { groups = groups.filter { $0.resource == resource } }
        if let apikey = exchange.query("apikey") { groups = groups.filter { $0.apikey == apikey } }
        let page = try Self.page(groups.map(\.json), exchange)
        return IoTExchange.json(["count": .number(Double(groups.count)), .init(key): .array(page)])
    }

    func createGroups(
        _ request: Request,
        _ context: AppRequestContext,
        key: String
    ) async throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        let body = try await exchange.json()
        try await agent.createGroups(
            body,
            key: key,
            service: exchange.service,
            subservice: exchange.servicePath,
            by: Self.origin(context)
        )
        return IoTExchange.empty(.created)
    }

    func updateGroup(_ request: Request, _ context: AppRequestContext) async throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        let resource = try exchange.requiredQuery("resource")
        let apikey = try exchange.requiredQuery("apikey")
        let body = try await exchange.json()
        try await agent.updateGroup(
            resource: resource,
            apikey: apikey,
            body: body,
            service: exchange.service,
            subservice: exchange.servicePath,
            by: Self.origin(context)
        )
        return IoTExchange.empty(.noContent)
    }

    func deleteGroup(_ request: Request, _ context: AppRequestContext) async throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        try await agent.deleteGroup(
            resource: try exchange.requiredQuery("resource"),
            apikey: try exchange.requiredQuery("apikey"),
            service: exchange.service,
            subservice: exchange.servicePath,
            deleteDevices: exchange.query("device") == "true",
            by: Self.origin(context)
        )
        return IoTExchange.empty(.noContent)
    }

    // MARK: Devices

    func listDevices(_ request: Request) throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        let devices = agent.devices(service: exchange.service, servicePath: exchange.servicePath)
        let page = try Self.page(devices.map(\.json), exchange)
        return IoTExchange.json(["count": .number(Double(devices.count)), "devices": .array(page)])
    }

    func createDevices(_ request: Request, _ context: AppRequestContext) async throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        let body = try await exchange.json()
        try await agent.createDevices(
            body,
            service: exchange.service,
            servicePath: exchange.servicePath,
            by: Self.origin(context)
        )
        return IoTExchange.empty(.created)
    }

    func device(_ request: Request, _ context: AppRequestContext) throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        let device = try agent.device(
            id: try Self.id(context),
            service: exchange.service,
            servicePath: exchange.servicePath
        )
        return IoTExchange.json(device.json)
    }

    func updateDevice(_ request: Request, _ context: AppRequestContext) async throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        let body = try await exchange.json()
        try await agent.updateDevice(
            id: try Self.id(context),
            body: body,
            service: exchange.service,
            servicePath: exchange.servicePath,
            by: Self.origin(context)
        )
        return IoTExchange.empty(.noContent)
    }

    func deleteDevice(_ request: Request, _ context: AppRequestContext) async throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        try await agent.deleteDevice(
            id: try Self.id(context),
            service: exchange.service,
            servicePath: exchange.servicePath,
            by: Self.origin(context)
        )
        return IoTExchange.empty(.noContent)
    }

    /// `POST /iot/op/delete` `{"devices": [{"deviceId": …, "apikey": …}]}`: every device must exist, or none is
    /// deleted.
    func deleteDevices(_ request: Request, _ context: AppRequestContext) async throws(IoTError) -> Response {
        let exchange = try IoTExchange(request)
        guard case .array(let entries)? = try await exchange.json()["devices"], !entries.isEmpty else {
            throw IoTError(.wrongSyntax, "the body must have a non-empty \"devices\" array")
        }
        var ids: [String] = []
        for entry in entries {
            guard case .string(let id)? = entry["deviceId"] else {
                throw IoTError(.wrongSyntax, "every entry of devices needs a deviceId")
            }
            _ = try agent.device(id: id, service: exchange.service, servicePath: exchange.servicePath)
            ids.append(id)
        }
        for id in ids {
            try await agent.deleteDevice(
                id: id,
                service: exchange.service,
                servicePath: exchange.servicePath,
                by: Self.origin(context)
            )
        }
        return IoTExchange.empty(.noContent)
    }

    /// Who provisions: the request's principal, recorded in the audit trail with each write.
    static func origin(_ context: AppRequestContext) -> IoTAgent.Origin {
        IoTAgent.Origin(principal: context.principal, requestId: context.id)
    }

    static func id(_ context: AppRequestContext) throws(IoTError) -> String {
        guard let id = context.parameters.get("id") else { throw IoTError(.badRequest, "a device id is required") }
        return id
    }

    /// `limit` (default 20, as the reference agent) and `offset`.
    static func page(_ items: [JSON], _ exchange: IoTExchange) throws(IoTError) -> [JSON] {
        let limit = try number(exchange.query("limit"), name: "limit") ?? 20
        let offset = try number(exchange.query("offset"), name: "offset") ?? 0
        return Array(items.dropFirst(offset).prefix(limit))
    }

    static func number(_ text: String?, name: String) throws(IoTError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw IoTError(.badRequest, "\(name) must be a non-negative integer")
        }
        return value
    }
}
