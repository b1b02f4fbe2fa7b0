import Clinic
import EventStore
import Foundation
import Postgres
import Projections

/// Reading the whole log, decoding and folding it in memory, rebuilding every projection.
enum ReadCases {
    /// Reads the log from the start in pages of `page` through `EventStore.pages` (decoded into
    /// `RecordedEvent`s, personal data opened; the next page read while this one is decoded, as
    /// `stipple export` reads); returns events/s.
    static func readAll(store: EventStore, page: Int) async throws -> (events: Int, rate: Double) {
        let start = ContinuousClock.now
        var count = 0
        var bytes = 0
        for try await events in try store.pages(after: .start, limit: page) {
            count += events.events.count
            bytes &+= events.events.last?.data.count ?? 0
        }
        return (count, Double(count) / seconds(since: start))
    }

    /// One projection folded over pages as a rebuild folds it (`InMemoryRebuild`: states kept across
    /// pages, `finish` once per key at the end), the rows it writes built and dropped.
    final class Folder<P: FoldingProjection> {
        var rebuild: InMemoryRebuild<P>
        init(_ projection: P) { rebuild = InMemoryRebuild(projection) }
        func fold(_ batch: ProjectionBatch) throws { _ = try rebuild.apply(batch) }
        func finish() throws { _ = try rebuild.finish() }
    }

    /// A projection's fold of one page, and its end-of-log `finish`.
    typealias FoldSteps = (name: String, fold: (ProjectionBatch) throws -> Void, finish: () throws -> Void)

    /// The pure folds of every clinic projection (ForecastProjection folds with `ForecastFold` and the
    /// prior parameters, as a fresh database does).
    static func folders() -> [FoldSteps] {
        var result: [FoldSteps] = []
        for projection in ClinicProjections.all() {
            if let folding = projection as? any FoldingProjection {
                result.append(makeFolder(folding))
            } else if projection is ForecastProjection {
                result.append(makeFolder(ForecastFold()))
            } else {
                Report.note("fold: \(projection.name) is not a FoldingProjection, skipped")
            }
        }
        return result
    }

    private static func makeFolder<P: FoldingProjection>(_ projection: P) -> FoldSteps {
        let folder = Folder(projection)
        return (projection.name, { try folder.fold($0) }, { try folder.finish() })
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

    /// Reads the log in pages in the order `rebuildAll` reads it (stream order, up to the head:
    /// `EventStore.readInStreamOrder`), and times `ProjectionBatch` decoding plus every projection's fold,
    /// folded as `rebuildAll` folds it (`InMemoryRebuild`: `finish` once per key at the end, timed with its
    /// fold). Until 2026-12-06 23:00 UTC the rebuild and this read in log order: figures before then are
    /// of that order (a page then held ~970 clients, now ~25).
    static func fold(store: EventStore, page: Int) async throws -> FoldRun {
        let folds = folders()
        let start = ContinuousClock.now
        let head = try await store.headPosition()
        var cursor: StreamCursor?
        var count = 0
        var decodeSeconds = 0.0
        var foldSeconds: [String: Double] = [:]
        while true {
            let events = try await store.readInStreamOrder(after: cursor, limit: page, upTo: head)
            guard let next = events.next else { break }
            let decodeStart = ContinuousClock.now
            let batch = ProjectionBatch(events: events.events)
            decodeSeconds += seconds(since: decodeStart)
            for (name, fold, _) in folds {
                let foldStart = ContinuousClock.now
                try fold(batch)
                foldSeconds[name, default: 0] += seconds(since: foldStart)
            }
            count += events.events.count
            cursor = next
        }
        for (name, _, finish) in folds {
            let finishStart = ContinuousClock.now
            try finish()
            foldSeconds[name, default: 0] += seconds(since: finishStart)
        }
        let total = seconds(since: start)
        let cpu = decodeSeconds + foldSeconds.values.reduce(0, +)
        return FoldRun(
            events: count, foldRate: Double(count) / cpu, pipelineRate: Double(count) / total,
            decodeSeconds: decodeSeconds, foldSeconds: foldSeconds)
    }

    /// Rebuilds the clinic projections named (`ProjectionRunner.rebuildAll`, as `stipple rebuild` does: one
    /// read and one decode of the log for all of them); returns log events per second of wall time and the
    /// peak RSS of the rebuild in MiB.
    static func rebuild(store: EventStore, batchSize: Int, projections: [String]) async throws -> (
        rate: Double, seconds: Double, peakMB: Double
    ) {
        let runner = ProjectionRunner(store: store, projections: ClinicProjections.all(), batchSize: batchSize)
        let head = try await store.headPosition()
        RebuildMemory.configureProcess()  // as `stipple rebuild` does
        PeakMemory.reset()
        let start = ContinuousClock.now
        let failures = try await runner.rebuildAll(projections)
        if let failure = failures.first { throw failure }
        let elapsed = seconds(since: start)
        return (Double(head) / elapsed, elapsed, PeakMemory.megabytes())
    }
}
