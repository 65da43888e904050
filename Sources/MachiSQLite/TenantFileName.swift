/// Maps a tenant name to the name of its database file: safe on any file system, one file per tenant.
///
/// - The default tenant (the empty string) is `default.sqlite`.
/// - Any other tenant is `tenant-<encoded>.sqlite`, where `<encoded>` keeps `a-z`, `0-9` and `-` and writes every
///   other UTF-8 byte as `%XX` (upper-case hex). Upper-case letters are encoded too, so two tenants never share a
///   file on a case-insensitive file system; `.` and `/` are encoded, so no name can leave the directory.
/// - If the encoded name is longer than 120 characters it is cut to 80 and a 64-bit FNV-1a hash of the whole
///   tenant name is appended (`~0123456789abcdef`), keeping file names far below the usual 255-byte limit.
///
/// The file also records the original tenant name (table `tenant`), and opening checks it, so a hash collision
/// can never mix two tenants' data.
package enum TenantFileName {
    /// The file name for `tenant`.
    package static func fileName(for tenant: String) -> String {
        if tenant.isEmpty { return "default.sqlite" }
        let encoded = encode(tenant)
        guard encoded.count > 120 else { return "tenant-\(encoded).sqlite" }
        return "tenant-\(encoded.prefix(80))~\(hexHash(tenant)).sqlite"
    }

    /// The tenant of a file named by `fileName(for:)`, unless the name was shortened with a hash (or is not such
    /// a name).
    static func tenant(fromFileName name: String) -> String? {
        guard name.hasPrefix("tenant-"), name.hasSuffix(".sqlite"), !name.contains("~") else { return nil }
        let encoded = name.dropFirst("tenant-".count).dropLast(".sqlite".count)
        var bytes: [UInt8] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            if encoded[index] == "%" {
                let hex = encoded[encoded.index(after: index)...].prefix(2)
                guard hex.count == 2, let byte = UInt8(hex, radix: 16) else { return nil }
                bytes.append(byte)
                index = encoded.index(index, offsetBy: 3)
            } else {
                bytes.append(contentsOf: encoded[index].utf8)
                index = encoded.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func encode(_ tenant: String) -> String {
        var result = ""
        result.reserveCapacity(tenant.utf8.count)
        for byte in tenant.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + hexByte(byte)
            }
        }
        return result
    }

    static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// FNV-1a, 64 bits, as 16 lower-case hex digits.
    static func hexHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
