import Clinic
import EventStore
import Foundation
import Postgres
import Projections

/// Reading the whole log, decoding and folding it in memory, rebuilding every projection.
enum ReadCases {
    /// Reads the log from the start in pages of `page` through `EventStore.readAll` (decoded into
    /// `RecordedEvent`s); returns events/s.
    static func readAll(store: EventStore, page: Int) async throws -> (events: Int, rate: Double) {
        let start = ContinuousClock.now
        var checkpoint = Checkpoint.start
        var count = 0
        var bytes = 0
        while true {
            let events = try await store.readAll(after: checkpoint, limit: page)
            guard !events.events.isEmpty else { break }
            count += events.events.count
            bytes &+= events.events.last?.data.count ?? 0
            checkpoint = events.next
        }
        return (count, Double(count) / seconds(since: start))
    }

    /// One projection's fold over pages, with its states kept across pages.
    final class Folder<P: FoldingProjection> {
        let projection: P
        var states: [String: P.State] = [:]
        init(_ projection: P) { self.projection = projection }
        func fold(_ batch: ProjectionBatch) throws {
            _ = try projection.foldInMemory(batch, states: &states)
        }
    }

    /// The pure folds of every clinic projection (ForecastProjection folds with `ForecastFold` and the
    /// prior parameters, as a fresh database does).
    static func folders() -> [(name: String, fold: (ProjectionBatch) throws -> Void)] {
        var result: [(name: String, fold: (ProjectionBatch) throws -> Void)] = []
        for projection in ClinicProjections.all() {
            if let folding = projection as? any FoldingProjection {
                result.append((folding.name, makeFolder(folding)))
            } else if projection is ForecastProjection {
                result.append((projection.name, makeFolder(ForecastFold())))
            } else {
                Report.note("fold: \(projection.name) is not a FoldingProjection, skipped")
            }
        }
        return result
    }

    private static func makeFolder<P: FoldingProjection>(_ projection: P) -> (ProjectionBatch) throws -> Void {
        let folder = Folder(projection)
        return { try folder.fold($0) }
    }

    struct FoldRun {
        var events: Int
        /// Events/s of decode + fold only (reading excluded).
        var foldRate: Double
        /// Events/s of read + decode + fold, end to end.
        var pipelineRate: Double
        /// Seconds per stage.
        var decodeSeconds: Double
        var foldSeconds: [String: Double]
    }

    /// Reads the log in pages, and times `ProjectionBatch` decoding plus every projection's `foldInMemory`.
    static func fold(store: EventStore, page: Int) async throws -> FoldRun {
        let folds = folders()
        let start = ContinuousClock.now
        var checkpoint = Checkpoint.start
        var count = 0
        var decodeSeconds = 0.0
        var foldSeconds: [String: Double] = [:]
        while true {
            let events = try await store.readAll(after: checkpoint, limit: page)
            guard !events.events.isEmpty else { break }
            let decodeStart = ContinuousClock.now
            let batch = ProjectionBatch(events: events.events)
            decodeSeconds += seconds(since: decodeStart)
            for (name, fold) in folds {
                let foldStart = ContinuousClock.now
                try fold(batch)
                foldSeconds[name, default: 0] += seconds(since: foldStart)
            }
            count += events.events.count
            checkpoint = events.next
        }
        let total = seconds(since: start)
        let cpu = decodeSeconds + foldSeconds.values.reduce(0, +)
        return FoldRun(
            events: count, foldRate: Double(count) / cpu, pipelineRate: Double(count) / total,
            decodeSeconds: decodeSeconds, foldSeconds: foldSeconds)
    }

    /// Rebuilds every clinic projection together (`ProjectionRunner.rebuildAll`, as `stipple rebuild`
    /// does: one read and one decode of the log for all of them); returns log events per second of
    /// wall time and the peak RSS of the rebuild in MiB.
    static func rebuild(store: EventStore, batchSize: Int) async throws -> (rate: Double, seconds: Double, peakMB: Double)
    {
        let runner = ProjectionRunner(store: store, projections: ClinicProjections.all(), batchSize: batchSize)
        let head = try await store.headPosition()
        PeakMemory.reset()
        let start = ContinuousClock.now
        let failures = try await runner.rebuildAll(ClinicProjections.names)
        if let failure = failures.first { throw failure }
        let elapsed = seconds(since: start)
        return (Double(head) / elapsed, elapsed, PeakMemory.megabytes())
    }
}
