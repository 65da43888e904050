import Foundation
import OrderedCollections

extension Consent {
    /// The API form: dates as ISO 8601 UTC, `attributes` only when restricted.
    public var json: JSON {
        var object: JSONObject = [
            "id": .string(id), "type": "Consent", "owner": .string(owner), "grantee": .string(grantee),
            "purpose": .string(purpose), "entityTypes": .array(entityTypes.map(JSON.string)),
            "validFrom": .string(DateTimeText.format(validFrom)), "status": .string(status.rawValue),
            "createdAt": .string(DateTimeText.format(createdAt)),
            "modifiedAt": .string(DateTimeText.format(modifiedAt)),
        ]
        if let attributes { object["attributes"] = .array(attributes.map(JSON.string)) }
        if let validUntil { object["validUntil"] = .string(DateTimeText.format(validUntil)) }
        return .object(object)
    }

    /// Reads the form `json` writes (the stored form).
    public init(json: JSON) throws(NGSIError) {
        func text(_ key: String) throws(NGSIError) -> String {
            guard let value = json[key]?.stringValue else { throw .badRequestData("A consent needs \(key)") }
            return value
        }
        func date(_ key: String) throws(NGSIError) -> Date {
            guard let value = DateTimeText.parse(try text(key)) else {
                throw .badRequestData("\(key) of a consent must be an ISO 8601 date-time")
            }
            return value
        }
        guard let status = Status(rawValue: try text("status")) else { throw .badRequestData("Unknown consent status") }
        self.init(
            id: try text("id"),
            owner: try text("owner"),
            grantee: try text("grantee"),
            purpose: try text("purpose"),
            entityTypes: json["entityTypes"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            attributes: json["attributes"]?.arrayValue?.compactMap(\.stringValue),
            validFrom: try date("validFrom"),
            validUntil: json["validUntil"] == nil ? nil : try date("validUntil"),
            status: status,
            createdAt: try date("createdAt"),
            modifiedAt: try date("modifiedAt")
        )
    }
}
