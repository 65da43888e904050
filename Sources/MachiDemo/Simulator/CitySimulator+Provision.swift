import AsyncHTTPClient
import Logging
import MachiCore
import NIOCore
import NIOHTTP1
import Synchronization

extension CitySimulator {
    /// Creates the service groups, devices and static entities; idempotent (409 means "already there").
    ///
    /// Tries every item even if one is rejected, then throws ``DemoError`` with
    /// ``DemoError/Code/provisioningRejected`` if any was. Throws ``DemoError/Code/serverUnreachable`` as soon as
    /// the server cannot be reached.
    public func provision() async throws {
        try await self.withHTTPClient { http in
            var rejected: [String] = []
            for group in self.city.groups {
                let status = try await self.post("/iot/services", self.city.serviceBody(for: group), http: http)
                self.record(status, item: "service group \(group.apikey)", into: &rejected)
            }
            for device in self.city.devices {
                let status = try await self.post("/iot/devices", self.city.deviceBody(for: device), http: http)
                self.record(status, item: "device \(device.id)", into: &rejected)
            }
            let entities = JSON.array(self.city.staticEntities)
            let status = try await self.post(
                "/ngsi-ld/v1/entityOperations/upsert?options=update",
                entities,
                http: http
            )
            self.record(status, item: "static entities", into: &rejected)
            self.logger.info(
                "demo city provisioned",
                metadata: [
                    "demo.devices": "\(self.city.devices.count)", "demo.rejected": "\(rejected.count)",
                    "demo.mqtt": "\(self.city.usesMQTT)",
                ]
            )
            if !rejected.isEmpty {
                let total = self.city.groups.count + self.city.devices.count + 1
                throw DemoError(
                    .provisioningRejected,
                    "\(rejected.count) of \(total) items rejected, e.g. "
                        + rejected.prefix(3).joined(separator: "; ")
                )
            }
        }
    }

    private func record(_ status: (code: UInt, body: String), item: String, into rejected: inout [String]) {
        if (200..<300).contains(status.code) || status.code == 409 {
            self.counters.itemsProvisioned.add(1, ordering: .relaxed)
            if status.code == 207 {
                self.logger.info("partial success", metadata: ["demo.item": "\(item)", "http.body": "\(status.body)"])
            }
        } else {
            rejected.append("\(item): HTTP \(status.code) \(status.body.prefix(160))")
        }
    }

    /// POSTs JSON to `path` and returns the status and (start of the) body; wraps connection errors.
    private func post(_ path: String, _ body: JSON, http: HTTPClient) async throws -> (code: UInt, body: String) {
        var request = HTTPClientRequest(url: self.options.baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let service = self.options.service { request.headers.add(name: "fiware-service", value: service) }
        request.headers.add(name: "fiware-servicepath", value: self.options.servicePath)
        if let token = self.options.accessToken { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(of: body)))
        do {
            let response = try await http.execute(request, timeout: .seconds(15))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (response.status.code, String(buffer: bytes))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw DemoError(.serverUnreachable, "POST \(path) failed: \(error)", underlying: error)
        }
    }
}
