import Crypto
import MachiCore

/// The audit chain's rules, in one place and without storage: the canonical form of a record, how a record is
/// linked to the one before it, and (in `AuditChainVerifier`) how a chain is checked.
///
/// **Canonical form** (version 1), the bytes the SHA-256 `hash` covers: the line `machi-audit-v1`, then one line per
/// field in this order — sequence, time (milliseconds since 1970, decimal), actor subject, actor kind, client id,
/// action, target, tenant, request id, purpose, data owner, detail (JSON text), previous hash — each written as
/// `<UTF-8 byte count>:<bytes>` or `-` when absent, every line ended by `\n`. The length prefix makes the form
/// unambiguous whatever the fields contain; including the sequence and the previous hash makes a record's hash
/// depend on its place and on every record before it.
public enum AuditChain {
    /// The previous hash of the first record of every chain: 64 zeros.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The canonical form of `record` (its `hash` is not part of it).
    public static func canonicalForm(of record: AuditRecord) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        bytes.append(contentsOf: "machi-audit-v1\n".utf8)
        func field(_ value: String?) {
            guard let value else {
                bytes.append(contentsOf: "-\n".utf8)
                return
            }
            bytes.append(contentsOf: String(value.utf8.count).utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        field(String(record.sequence))
        field(String(record.timeMilliseconds))
        field(record.actor.subject)
        field(record.actor.kind)
        field(record.actor.clientId)
        field(record.action)
        field(record.target)
        field(record.tenant)
        field(record.requestId)
        field(record.purpose)
        field(record.dataOwner)
        field(record.detail)
        field(record.previousHash)
        return bytes
    }

    /// The SHA-256 of the record's canonical form, as 64 lower-case hex digits.
    public static func hash(of record: AuditRecord) -> String {
        hex(SHA256.hash(data: canonicalForm(of: record)))
    }

    /// The record that appends `event` after the record with `previous` = (sequence, hash), or at the start of a
    /// chain when `previous` is `nil`.
    public static func link(
        _ event: AuditEvent,
        after previous: (sequence: Int64, hash: String)?,
        timeMilliseconds: Int64
    ) -> AuditRecord {
        var record = AuditRecord(
            sequence: (previous?.sequence ?? 0) + 1,
            timeMilliseconds: timeMilliseconds,
            actor: event.actor,
            action: event.action.rawValue,
            target: event.target,
            tenant: event.tenant,
            requestId: event.requestId,
            purpose: event.purpose,
            dataOwner: event.dataOwner,
            detail: event.detail.map { JSONWriter.string(of: $0) },
            previousHash: previous?.hash ?? genesisHash,
            hash: ""
        )
        record.hash = hash(of: record)
        return record
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
