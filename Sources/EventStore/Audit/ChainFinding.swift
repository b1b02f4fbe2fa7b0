/// One thing verification found wrong, located at the first position it concerns.
public struct ChainFinding: Sendable, Hashable, CustomStringConvertible {
    /// What kind of tampering the evidence points to.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The stored columns no longer hash to the stored link: content was edited.
        case changedContent = "changed content"
        /// Positions jump: events were deleted from the middle.
        case missingEvents = "missing events"
        /// An event's `prev_hash` is not its predecessor's hash: events reordered, replaced or inserted.
        case brokenLink = "broken link"
        /// A stream's versions do not follow each other in position order: events reordered.
        case versionOrder = "version order"
        /// The log ends before `log_head` or before a sealed position: its tail was cut off.
        case truncated = "cut-off tail"
        /// Events lie beyond `log_head`: written outside the append path.
        case beyondHead = "beyond head"
        /// A seal (in the log or kept outside) does not match the log.
        case sealMismatch = "seal mismatch"
    }

    public var kind: Kind
    /// The first position the finding concerns.
    public var position: Int64
    /// What is wrong, in a sentence.
    public var detail: String

    public init(kind: Kind, position: Int64, detail: String) {
        self.kind = kind
        self.position = position
        self.detail = detail
    }

    /// One line: `position P: kind: detail`.
    public var description: String { "position \(position): \(kind.rawValue): \(detail)" }
}
