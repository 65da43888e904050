import MachiCore
import OrderedCollections

/// Reads the members of one provisioning object strictly: every member must be known, and of its type.
struct ProvisioningFields {
    let object: JSONObject
    /// What the object is, for messages (`device`, `service group`, `attribute`).
    let what: String

    /// - Throws: `WRONG_SYNTAX` if `json` is not an object or has a member outside `known`.
    init(_ json: JSON, what: String, known: Set<String>) throws(IoTError) {
        guard case .object(let object) = json else {
            throw IoTError(.wrongSyntax, "a \(what) must be a JSON object")
        }
        for key in object.keys where !known.contains(key) {
            throw IoTError(.wrongSyntax, "unknown field \"\(key)\" in \(what)")
        }
        self.object = object
        self.what = what
    }

    func string(_ key: String) throws(IoTError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard case .string(let text) = value else {
            throw IoTError(.wrongSyntax, "\"\(key)\" of \(what) must be a string")
        }
        return text
    }

    func requiredString(_ key: String) throws(IoTError) -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw IoTError(.wrongSyntax, "\(what) needs a non-empty \"\(key)\"")
        }
        return text
    }

    /// A boolean, also accepted as the strings `"true"`/`"false"` (FIWARE clients send both).
    func bool(_ key: String) throws(IoTError) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string("true")?: return true
        case .string("false")?: return false
        default: throw IoTError(.wrongSyntax, "\"\(key)\" of \(what) must be a boolean")
        }
    }

    func array(_ key: String) throws(IoTError) -> [JSON] {
        switch object[key] {
        case nil, .null?: return []
        case .array(let elements)?: return elements
        default: throw IoTError(.wrongSyntax, "\"\(key)\" of \(what) must be an array")
        }
    }

    func mappings(_ key: String) throws(IoTError) -> [AttributeMapping] {
        var result: [AttributeMapping] = []
        for element in try array(key) {
            result.append(try AttributeMapping(element, section: key))
        }
        return result
    }
}
