import ArgumentParser
import EventStore
import Foundation
import Projections

struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild projections from the events, or build them as of a past point for an auditor.",
        discussion: """
            Without --into, each projection is rebuilt into a fresh schema and swapped in at the end, \
            so queries keep answering meanwhile. With --into, an auditor's snapshot is built into that \
            schema and queried with --schema. Two questions, alone or together: --known-at D, what the \
            records said on D (the log as it stood: events recorded by then; --at POSITION is the same by \
            position, --as-of is kept as another name), and --effective-at D, what was true on D (events \
            whose own business time is on or before D, however late they were recorded, e.g. an import). \
            e.g. `stipple rebuild --effective-at 2023-12-31 --into audit_2023`.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only this projection (\((ClinicProjections.names + ["search"]).joined(separator: ", "))).")
    var projection: String?
    @Option(help: "Build from the events recorded by this time (YYYY-MM-DD means the end of that day, UTC).")
    var knownAt: String?
    @Option(help: "Another name for --known-at.") var asOf: String?
    @Option(help: "Build from the events whose own business time is on or before this time (end of day for a date).")
    var effectiveAt: String?
    @Option(help: "Build up to this log position.") var at: Int64?
    @Option(help: "The schema to build an as-of snapshot into.") var into: String?

    func validate() throws {
        // `search` (the client search index) needs the master key; the runner says so when it is missing.
        let known = ClinicProjections.names + ["search"]
        if let projection, !known.contains(projection) {
            throw ValidationError("unknown projection '\(projection)' (known: \(known.joined(separator: ", ")))")
        }
        if knownAt != nil && asOf != nil { throw ValidationError("give --known-at or --as-of (the same), not both") }
        if (knownAt ?? asOf) != nil && at != nil { throw ValidationError("give --known-at or --at, not both") }
        if ((knownAt ?? asOf) != nil || at != nil || effectiveAt != nil) != (into != nil) {
            throw ValidationError(
                "--known-at/--at/--effective-at and --into go together: name the schema the snapshot goes into")
        }
        for (name, value) in [("--known-at", knownAt), ("--as-of", asOf), ("--effective-at", effectiveAt)] {
            if let value, (try? DateArgument.parse(value, endOfDay: true)) == nil {
                throw ValidationError("\(name) '\(value)' is not a date (YYYY-MM-DD or an ISO-8601 time)")
            }
        }
        if let at, at < 0 { throw ValidationError("--at must be a position ≥ 0") }
    }

    func run() async throws {
        try await reportingErrors {
            RebuildMemory.configureProcess()
            let pool = try database.pool()
            let store = database.store(pool)
            let reporter = SharedProgress("rebuild")
            let effective = try effectiveAt.map { try DateArgument.parse($0, endOfDay: true) }
            let projections = ClinicProjections.all(for: store).map { projection -> any Projection in
                effective.map { EffectiveAtProjection(projection, effectiveAt: $0) } ?? projection
            }
            let runner = ProjectionRunner(store: store, projections: projections) { update in
                reporter.update(done: Int(update.position), total: Int(update.head))
            }
            let names = projection.map { [$0] } ?? ClinicProjections.names(for: store)
            let started = Date()
            if let into {
                let known = try (knownAt ?? asOf).map { try DateArgument.parse($0, endOfDay: true) }
                let position: Int64
                if let at {
                    position = at
                } else if let known {
                    position = try await store.position(asOf: known)
                } else {
                    position = try await store.headPosition()
                }
                try await runner.buildSnapshot(names, upTo: position, asOf: known, into: into)
                try await Snapshots.recordEffectiveAt(effective, schema: into, pool: pool)
                reporter.finish(Int(position))
                let question = AsOfQuestion(knownAt: known, effectiveAt: effective)
                print(
                    "Built \(names.joined(separator: ", ")) into schema \(into), \(question.describe(position: position))."
                )
            } else {
                if let failure = try await runner.rebuildAll(names).first { throw failure }
                let head = try await store.headPosition()
                reporter.finish(Int(head))
                let seconds = Date().timeIntervalSince(started)
                let rate = seconds > 0 ? Int(Double(head) * Double(names.count) / seconds) : 0
                print(
                    "Rebuilt \(names.joined(separator: ", ")) over \(head) events in "
                        + String(format: "%.1f", seconds) + " s (\(rate) event-applications/s).")
            }
            await pool.close()
        }
    }
}
