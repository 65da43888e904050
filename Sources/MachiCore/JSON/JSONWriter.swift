public import OrderedCollections

/// Writes `JSON` values as compact UTF-8 JSON text.
public enum JSONWriter {
    /// The compact JSON text of `value`.
    public static func bytes(of value: JSON) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// The compact JSON text of `value`, as a string.
    public static func string(of value: JSON) -> String { String(decoding: bytes(of: value), as: UTF8.self) }

    /// Appends the JSON text of `value` to `out`.
    public static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? "true".utf8 : "false".utf8)
        case .number(let n): writeNumber(n, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object): write(object, skipping: { _ in false }, into: &out)
        }
    }

    /// Appends the JSON text of `object` without the members whose keys `skipping` names (no copy of the object).
    public static func write(_ object: JSONObject, skipping: (String) -> Bool, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (key, member) in object where !skipping(key) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            write(member, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Integral numbers are written without a fraction (`25`, not `25.0`).
    static func writeNumber(_ n: Double, into out: inout [UInt8]) {
        if n.rounded() == n, abs(n) < 9_007_199_254_740_992 {
            var text = String(Int64(n))
            text.withUTF8 { out.append(contentsOf: $0) }
        } else if n.isFinite {
            var text = n.description
            text.withUTF8 { out.append(contentsOf: $0) }
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings (names, ids, times, numbers as text) need no escape: copy them whole. A native string's
        // bytes are scanned and copied in place; a bridged one takes the general path below.
        let copied = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in s.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
