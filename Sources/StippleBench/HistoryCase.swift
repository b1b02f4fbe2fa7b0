import Clinic
import Foundation

/// Generating a clinic history in memory, without a database: how fast `ClinicHistory` produces
/// events through the domain's rules (it was a gated 1M-event performance test in ClinicTests;
/// a benchmark, not a timed test).
enum HistoryCase {
    /// Iterates the seeded history of `clients` clients once; returns the event count and events/s.
    static func run(clients: Int, seed: UInt64) -> (events: Int, rate: Double) {
        let start = ContinuousClock.now
        var count = 0
        for _ in ClinicHistory(HistoryConfiguration(seed: seed, clientCount: clients)) { count += 1 }
        return (count, Double(count) / seconds(since: start))
    }
}
