/// Checks a chain record by record, in sequence order, without holding it: feed every record to `check`, stop at
/// the first break, then read `verification`.
///
/// A record breaks the chain when its sequence is not the next one (a record was deleted, or rows were
/// reordered), when its previous hash is not the hash of the record before it (a record before it was replaced or
/// moved), or when its hash is not the hash of its canonical form (the record itself was edited). Deleting the
/// newest records cannot be seen from the chain alone: compare the head with one kept elsewhere.
public struct AuditChainVerifier: Sendable {
    private var checked = 0
    private var last: (sequence: Int64, hash: String)?
    private var broken: AuditChainBreak?

    public init() {}

    /// Checks the next record; returns the break if this record breaks the chain (later records are ignored).
    @discardableResult
    public mutating func check(_ record: AuditRecord) -> AuditChainBreak? {
        if let broken { return broken }
        let expected = (last?.sequence ?? 0) + 1
        let previousHash = last?.hash ?? AuditChain.genesisHash
        var problem: AuditChainBreak?
        if record.sequence > expected {
            problem = AuditChainBreak(
                .gap,
                sequence: expected,
                "record \(expected) is missing: the next record is \(record.sequence)"
            )
        } else if record.sequence < expected {
            problem = AuditChainBreak(
                .outOfOrder,
                sequence: record.sequence,
                "record \(record.sequence) comes after record \(expected - 1)"
            )
        } else if record.previousHash != previousHash {
            problem = AuditChainBreak(
                .previousMismatch,
                sequence: record.sequence,
                "record \(record.sequence) does not link to the record before it (its previous hash differs)"
            )
        } else if AuditChain.hash(of: record) != record.hash {
            problem = AuditChainBreak(
                .hashMismatch,
                sequence: record.sequence,
                "record \(record.sequence) was altered: its hash does not match its content"
            )
        }
        if let problem {
            broken = problem
            return problem
        }
        checked += 1
        last = (record.sequence, record.hash)
        return nil
    }

    /// What was found so far.
    public var verification: AuditVerification {
        AuditVerification(
            recordsChecked: checked,
            headSequence: last?.sequence ?? 0,
            headHash: last?.hash ?? AuditChain.genesisHash,
            broken: broken
        )
    }
}

/// The outcome of verifying one chain.
public struct AuditVerification: Sendable, Hashable {
    /// Records found intact, from the first up to the break (or all).
    public var recordsChecked: Int
    /// The sequence and hash of the last intact record (0 and the genesis hash for an empty chain): keep them
    /// elsewhere to detect a later truncation.
    public var headSequence: Int64
    public var headHash: String
    /// The first broken link, if any.
    public var broken: AuditChainBreak?

    public init(recordsChecked: Int, headSequence: Int64, headHash: String, broken: AuditChainBreak?) {
        self.recordsChecked = recordsChecked
        self.headSequence = headSequence
        self.headHash = headHash
        self.broken = broken
    }

    /// Whether the whole chain is intact.
    public var isIntact: Bool { broken == nil }
}

/// The first place an audit chain is broken: which record, and what is wrong with it.
public struct AuditChainBreak: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case hashMismatch, gap, previousMismatch, outOfOrder }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The record's content does not match its hash: it was edited.
        public static let hashMismatch = Code(.hashMismatch)
        /// A sequence number is missing: a record was deleted.
        public static let gap = Code(.gap)
        /// The record's previous hash is not the previous record's hash: a record was replaced or moved.
        public static let previousMismatch = Code(.previousMismatch)
        /// A sequence number repeats or goes back.
        public static let outOfOrder = Code(.outOfOrder)

        public var description: String {
            switch base {
            case .hashMismatch: "hash mismatch"
            case .gap: "gap"
            case .previousMismatch: "previous hash mismatch"
            case .outOfOrder: "out of order"
            }
        }
    }

    public var code: Code
    /// The sequence number of the broken (or missing) record.
    public var sequence: Int64
    public var message: String

    public init(_ code: Code, sequence: Int64, _ message: String) {
        self.code = code
        self.sequence = sequence
        self.message = message
    }

    public var description: String { "\(code) at record \(sequence): \(message)" }

    /// Compares code and sequence.
    public static func == (lhs: AuditChainBreak, rhs: AuditChainBreak) -> Bool {
        lhs.code == rhs.code && lhs.sequence == rhs.sequence
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(sequence)
    }
}
