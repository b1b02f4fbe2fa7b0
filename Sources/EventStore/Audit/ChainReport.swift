/// The outcome of verifying the chain.
public struct ChainReport: Sendable, Hashable {
    /// The first position checked.
    public var from: Int64
    /// How many events were read and checked.
    public var checkedCount: Int
    /// The last event checked, with its stored hash (the head when `findings` is empty).
    public var head: ChainLink?
    /// `log_head` when verification started.
    public var logHead: Int64
    /// What is wrong, first position first; empty when the log verifies.
    public var findings: [ChainFinding]
    /// Where the outside seal given to `verify(against:)` was found, if it was.
    public var matchedAnchor: ChainLink?
    /// How many seals recorded in the log were checked against it.
    public var sealsChecked: Int
    /// Wall time of the verification.
    public var duration: Duration

    /// True when nothing was found wrong.
    public var isIntact: Bool { findings.isEmpty }

    /// Events checked per second.
    public var eventsPerSecond: Double {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds > 0 ? Double(checkedCount) / seconds : 0
    }

    /// One line for a clean log: `N events verified (positions A–B), head B:HASH`.
    public var summary: String {
        guard let head else { return "0 events verified: the log has no events from position \(from)" }
        return "\(checkedCount) events verified (positions \(from)–\(head.position)), head \(head)"
    }
}
