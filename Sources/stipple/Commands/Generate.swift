import ArgumentParser
import Clinic
import ClinicService
import EventStore
import Foundation

/// `stipple generate`: appends a seeded, realistic clinic history through the event store.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append a seeded, realistic clinic history (every event passed the clinic's rules).",
        discussion: """
            The same options give the same events with the same ids, so running the same generate \
            again appends nothing. Progress goes to stderr; the summary to stdout.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Clients who walk in over the period (about 50 events each).")
    var clients: Int

    @Option(help: "Seed of the generator: the same seed gives the same history.")
    var seed: UInt64

    @Option(help: "Locations (default: scales with --clients).")
    var locations: Int?

    @Option(name: .customLong("technicians-per-location"), help: "Technicians per location (default: scales).")
    var techniciansPerLocation: Int?

    @Option(help: "Last day of the history, YYYY-MM-DD (default: 2026-11-01). It starts on 2019-01-01.")
    var until: String?

    @Option(name: .customLong("chunk-size"), help: "Events per append (1–10000).")
    var chunkSize: Int = 2000

    @Flag(
        name: .customLong("exact-order"),
        help: "Keep the log in exact business-time order (slower; by default a chunk's events are grouped by stream).")
    var exactOrder = false

    func validate() throws {
        guard (0...10_000_000).contains(clients) else { throw ValidationError("--clients must be 0–10000000") }
        if let locations, !(1...1000).contains(locations) {
            throw ValidationError("--locations must be 1–1000")
        }
        if let techniciansPerLocation, !(1...1000).contains(techniciansPerLocation) {
            throw ValidationError("--technicians-per-location must be 1–1000")
        }
        guard (1...10_000).contains(chunkSize) else { throw ValidationError("--chunk-size must be 1–10000") }
        _ = try endDate()
    }

    /// The end of the history: the start of the day after `--until`, so that day is included.
    private func endDate() throws -> Date {
        guard let until else { return HistoryConfiguration.defaultEnd }
        guard let day = CalendarDay(iso: until) else {
            throw ValidationError("--until must be a date YYYY-MM-DD, got '\(until)'")
        }
        let end = day.adding(days: 1).startDate
        guard end > HistoryConfiguration.defaultStart else {
            throw ValidationError("--until must be after \(CalendarDay(HistoryConfiguration.defaultStart))")
        }
        return end
    }

    func run() async throws {
        try await reportingErrors {
            let configuration = HistoryConfiguration(
                seed: seed, clientCount: clients, locationCount: locations,
                techniciansPerLocation: techniciansPerLocation, end: try endDate())
            let pool = try database.pool(maximumConnections: 2)
            let store = database.store(pool)
            let reporter = ProgressReporter("generate")
            let writer = HistoryWriter(
                store: store, chunkSize: chunkSize, grouping: exactOrder ? .consecutiveRuns : .byStream)
            let summary: HistoryWriter.Summary
            do {
                summary = try await writer.write(ClinicHistory(configuration)) { progress in
                    reporter.update(progress.events, fraction: progress.fraction)
                }
            } catch {
                reporter.clear()
                await pool.close()
                throw error
            }
            reporter.finish(summary.events)
            await pool.close()
            let rate = String(format: "%.0f", summary.rate)
            let seconds = String(format: "%.2f", summary.seconds)
            print(
                "generated \(summary.events) events for \(clients) clients (seed \(seed)): "
                    + "\(summary.appended) appended, \(summary.alreadyStored) already stored, "
                    + "in \(seconds) s (\(rate) events/s)")
        }
    }
}
