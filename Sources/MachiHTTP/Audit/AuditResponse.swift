import Foundation
import Hummingbird
import MachiCore
import MachiStore
import NIOCore
import OrderedCollections

/// The audit API's JSON: records, access-log entries and problems.
enum AuditResponse {
    /// A record as `GET /api/v1/audit` returns it; absent fields are left out.
    static func json(_ record: AuditRecord) -> JSON {
        var object: JSONObject = [
            "sequence": .number(Double(record.sequence)),
            "time": .string(time(record)),
            "actor": actor(record.actor),
            "action": .string(record.action),
            "tenant": .string(record.tenant),
        ]
        object["target"] = record.target.map(JSON.string)
        object["requestId"] = record.requestId.map(JSON.string)
        object["purpose"] = record.purpose.map(JSON.string)
        object["dataOwner"] = record.dataOwner.map(JSON.string)
        object["detail"] = record.detail.map { (try? JSONParser.parse($0)) ?? .string($0) }
        object["prevHash"] = .string(record.previousHash)
        object["hash"] = .string(record.hash)
        return .object(object)
    }

    /// A `personal.read` record as the data owner sees it: who read what, when, for what.
    static func access(_ record: AuditRecord) -> JSON {
        var object: JSONObject = ["time": .string(time(record)), "reader": actor(record.actor)]
        object["entity"] = record.target.map(JSON.string)
        object["purpose"] = record.purpose.map(JSON.string)
        object["requestId"] = record.requestId.map(JSON.string)
        return .object(object)
    }

    static func actor(_ actor: AuditActor) -> JSON {
        var object: JSONObject = ["subject": .string(actor.subject), "kind": .string(actor.kind)]
        object["clientId"] = actor.clientId.map(JSON.string)
        return .object(object)
    }

    static func time(_ record: AuditRecord) -> String {
        DateTimeText.format(Date(timeIntervalSince1970: Double(record.timeMilliseconds) / 1000))
    }

    static func json(_ body: JSON, tenant: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if !tenant.isEmpty { headers[.ngsildTenant] = tenant }
        return Response(
            status: .ok,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: body)))
        )
    }

}
