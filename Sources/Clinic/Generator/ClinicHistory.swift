import Foundation

/// A realistic, deterministic clinic history, produced lazily through the deciders: every event passed `decide`.
///
/// Iterate it to get `(stream, event)` pairs in nondecreasing business time. Memory grows with the clients still
/// active (waiting years for a touch-up) and the technicians, not with the number of events produced.
public struct ClinicHistory: Sequence, Sendable {
    /// The configuration.
    public let configuration: HistoryConfiguration

    /// Creates a history.
    public init(_ configuration: HistoryConfiguration) {
        self.configuration = configuration
    }

    /// Starts generating.
    public func makeIterator() -> Iterator {
        Iterator(simulation: HistorySimulation(configuration))
    }

    /// Produces the events one at a time.
    public struct Iterator: IteratorProtocol {
        let simulation: HistorySimulation

        /// The next event, or nil at the end of the period.
        public mutating func next() -> PendingEvent? { simulation.next() }

        /// Commands rejected and retried differently so far (e.g. a slot taken, a lapsed certification): proof
        /// that generated commands go through the rules.
        public var rejectedCommands: Int { simulation.rejectedCommands }
    }
}
