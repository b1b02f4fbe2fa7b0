import ArgumentParser
import EventStore
import Foundation
import Projections

struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild projections from the events, or build them as of a past point for an auditor.",
        discussion: """
            Without --into, each projection is rebuilt into a fresh schema and swapped in at the end, \
            so queries keep answering meanwhile. With --into, the projections are built from the events \
            up to --as-of (a time, by when events were recorded) or --at (a position) into that schema, \
            e.g. `stipple rebuild --as-of 2026-03-31 --into audit_2026_03_31`, and queried with --schema.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only this projection (\(ClinicProjections.names.joined(separator: ", "))).") var projection: String?
    @Option(help: "Build as of this time (YYYY-MM-DD means the end of that day, UTC).") var asOf: String?
    @Option(help: "Build up to this log position.") var at: Int64?
    @Option(help: "The schema to build an as-of snapshot into.") var into: String?

    func validate() throws {
        if let projection, !ClinicProjections.names.contains(projection) {
            throw ValidationError("unknown projection '\(projection)' (known: \(ClinicProjections.names.joined(separator: ", ")))")
        }
        if asOf != nil && at != nil { throw ValidationError("give --as-of or --at, not both") }
        if (asOf != nil || at != nil) != (into != nil) {
            throw ValidationError("--as-of/--at and --into go together: name the schema the snapshot goes into")
        }
        if let at, at < 0 { throw ValidationError("--at must be a position ≥ 0") }
    }

    func run() async throws {
        try await reportingErrors {
            let pool = try database.pool()
            let store = database.store(pool)
            let reporter = SharedProgress("rebuild")
            let runner = ProjectionRunner(store: store, projections: ClinicProjections.all()) { update in
                reporter.update(done: Int(update.position), total: Int(update.head))
            }
            let names = projection.map { [$0] } ?? ClinicProjections.names
            let started = Date()
            if let into {
                let asOfDate = try asOf.map { try DateArgument.parse($0, endOfDay: true) }
                let position: Int64
                if let at { position = at } else if let asOfDate { position = try await store.position(asOf: asOfDate) } else { position = 0 }
                try await runner.buildSnapshot(names, upTo: position, asOf: asOfDate, into: into)
                reporter.finish(Int(position))
                print("Built \(names.joined(separator: ", ")) as of position \(position) into schema \(into).")
            } else {
                if let failure = try await runner.rebuildAll(names).first { throw failure }
                let head = try await store.headPosition()
                reporter.finish(Int(head))
                let seconds = Date().timeIntervalSince(started)
                let rate = seconds > 0 ? Int(Double(head) * Double(names.count) / seconds) : 0
                print("Rebuilt \(names.joined(separator: ", ")) over \(head) events in "
                    + String(format: "%.1f", seconds) + " s (\(rate) event-applications/s).")
            }
            await pool.close()
        }
    }
}
