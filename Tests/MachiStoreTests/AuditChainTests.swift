import MachiCore
import MachiStore
import Testing

struct AuditChainTests {
    static let actor = AuditActor(subject: "urn:machi:person:1", kind: "person", clientId: "portal")

    static func event(_ number: Int) -> AuditEvent {
        AuditEvent(
            action: .entityUpdate,
            actor: actor,
            target: "urn:ngsi-ld:Thing:\(number)",
            tenant: "shiojiri",
            requestId: "r\(number)",
            detail: ["n": .number(Double(number))]
        )
    }

    /// A chain of `count` records, linked as a store would link them.
    static func chain(_ count: Int) -> [AuditRecord] {
        var records: [AuditRecord] = []
        for number in 1...count {
            let previous = records.last.map { (sequence: $0.sequence, hash: $0.hash) }
            records.append(AuditChain.link(event(number), after: previous, timeMilliseconds: 1_000 + Int64(number)))
        }
        return records
    }

    static func verify(_ records: [AuditRecord]) -> AuditVerification {
        var verifier = AuditChainVerifier()
        for record in records where verifier.check(record) != nil { break }
        return verifier.verification
    }

    @Test func linksRecordsFromTheGenesisHash() {
        let records = Self.chain(3)
        #expect(records.map(\.sequence) == [1, 2, 3])
        #expect(records[0].previousHash == AuditChain.genesisHash)
        #expect(records[1].previousHash == records[0].hash)
        #expect(records[2].previousHash == records[1].hash)
        #expect(records.allSatisfy { $0.hash.count == 64 && $0.hash == AuditChain.hash(of: $0) })
        #expect(records[0].detail == #"{"n":1}"#)
    }

    @Test func anIntactChainVerifies() {
        let verification = Self.verify(Self.chain(5))
        #expect(verification.isIntact)
        #expect(verification.recordsChecked == 5)
        #expect(verification.headSequence == 5)
        #expect(Self.verify([]).isIntact)
        #expect(Self.verify([]).headHash == AuditChain.genesisHash)
    }

    @Test("every field is covered by the hash", arguments: 0..<11)
    func editingAnyFieldIsAHashMismatch(field: Int) {
        var records = Self.chain(4)
        var record = records[2]
        switch field {
        case 0: record.timeMilliseconds += 1
        case 1: record.actor.subject = "urn:machi:person:2"
        case 2: record.actor.kind = "application"
        case 3: record.actor.clientId = nil
        case 4: record.action = "entity.delete"
        case 5: record.target = nil
        case 6: record.tenant = ""
        case 7: record.requestId = "forged"
        case 8: record.purpose = "care"
        case 9: record.dataOwner = "urn:machi:person:3"
        default: record.detail = #"{"n":4}"#
        }
        records[2] = record
        let verification = Self.verify(records)
        #expect(verification.broken == AuditChainBreak(.hashMismatch, sequence: 3, ""))
        #expect(verification.recordsChecked == 2)
    }

    @Test func anAbsentFieldDiffersFromAnEmptyOne() {
        var record = Self.chain(1)[0]
        let withNil = AuditChain.canonicalForm(of: record)
        record.purpose = ""
        #expect(AuditChain.canonicalForm(of: record) != withNil)
    }

    @Test func fieldsCannotBleedIntoEachOther() {
        var first = Self.chain(1)[0]
        first.target = "a\n1:b"
        first.requestId = nil
        var second = first
        second.target = "a"
        second.requestId = "b"
        #expect(AuditChain.canonicalForm(of: first) != AuditChain.canonicalForm(of: second))
    }

    @Test func aDeletedRecordIsAGapAtItsSequence() {
        var records = Self.chain(5)
        records.remove(at: 2)
        #expect(Self.verify(records).broken == AuditChainBreak(.gap, sequence: 3, ""))
    }

    @Test func aRehashedRecordBreaksTheLinkOfTheNext() {
        var records = Self.chain(5)
        records[1].action = "entity.delete"
        records[1].hash = AuditChain.hash(of: records[1])
        #expect(Self.verify(records).broken == AuditChainBreak(.previousMismatch, sequence: 3, ""))
    }

    @Test func swappedRecordsAreFoundAtTheFirstOfThem() {
        var records = Self.chain(5)
        // The contents of 2 and 3 trade places, each keeping its position's sequence number.
        let second = records[1]
        let third = records[2]
        records[1] = third
        records[1].sequence = 2
        records[2] = second
        records[2].sequence = 3
        let broken = Self.verify(records).broken
        #expect(broken?.sequence == 2)
        #expect(broken?.code == .previousMismatch)
    }

    @Test func aSequenceGoingBackIsOutOfOrder() {
        var records = Self.chain(3)
        records.append(records[1])
        #expect(Self.verify(records).broken == AuditChainBreak(.outOfOrder, sequence: 2, ""))
    }

    @Test func recordReadsAppendsOneRecordPerEntityInOneCall() async throws {
        let log = MemoryAuditLog()
        let context = AuditContext(actor: Self.actor, requestId: "r1", purpose: "care")
        try await log.recordReads(
            [
                PersonalDataRead(entityId: "urn:a", owner: "urn:machi:person:7"),
                .init(entityId: "urn:b", owner: "urn:machi:person:8"),
            ],
            context: context,
            tenant: "t"
        )
        try await log.recordReads([], context: context, tenant: "t")
        let calls = log.calls
        #expect(calls.count == 1)
        #expect(calls.first?.map(\.dataOwner) == ["urn:machi:person:7", "urn:machi:person:8"])
        #expect(
            calls.first?.allSatisfy { $0.action == .personalRead && $0.purpose == "care" && $0.tenant == "t" } == true
        )
    }
}

/// Records the `append` calls.
final class MemoryAuditLog: AuditLog, @unchecked Sendable {
    // Tests call it from one task at a time.
    private(set) var calls: [[AuditEvent]] = []

    func append(_ events: [AuditEvent], tenant: String) async throws { calls.append(events) }
    func auditRecords(matching query: AuditQuery, tenant: String) async throws -> [AuditRecord] { [] }
    func verifyAudit(tenant: String) async throws -> AuditVerification { AuditChainVerifier().verification }
}
