import EventStore
import Foundation
import Postgres

/// Appends through `EventStore.append` from `writers` concurrent tasks, each on its own stream.
enum AppendCase {
    /// The data of every benchmark event, also used by the pgbench baseline (`stipple-bench payload`):
    /// about the size of a generated payment event.
    static let data =
        #"{"amount_minor": 45000, "appointment_id": "6f1c2a9e-3b7d-4c1e-9a52-0d8e7f6b5a41", "at": "2025-03-14T10:30:00Z", "currency": "EUR", "method": "card", "note": "balance for session 2"}"#
    /// The metadata of every benchmark event (what the generator writes).
    static let metadata = EventMetadata(
        actor: "bench", correlationID: UUID(uuidString: "2d3c4b5a-6978-4a1b-8c2d-3e4f5a6b7c8d"))
    /// The metadata as stored, for the baseline.
    static let metadataJSON = #"{"actor": "bench", "correlation_id": "2D3C4B5A-6978-4A1B-8C2D-3E4F5A6B7C8D"}"#

    struct Run {
        var eventsPerSecond: Double
        var latenciesMilliseconds: [Double]
    }

    /// One run: `appends` appends in all (split over the writers), `eventsPerAppend` events each.
    static func run(store: EventStore, writers: Int, appends: Int, eventsPerAppend: Int, tag: String) async throws
        -> Run
    {
        let perWriter = max(1, appends / writers)
        let token = String(UUID().uuidString.prefix(8)).lowercased()
        let start = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let stream = try EventStreamName("bench-\(tag)-\(token)-w\(writer)")
                    var version: Int? = nil
                    var samples: [Double] = []
                    samples.reserveCapacity(perWriter)
                    for _ in 0..<perWriter {
                        let events = (0..<eventsPerAppend).map { _ in
                            NewEvent(
                                id: .random(), type: "bench.appended", schemaVersion: 1, json: data,
                                metadata: metadata)
                        }
                        let expected: ExpectedVersion = version.map { .exact($0) } ?? .noStream
                        let began = ContinuousClock.now
                        let result = try await store.append(events, to: stream, expectedVersion: expected)
                        samples.append(seconds(since: began) * 1000)
                        version = result.streamVersion
                    }
                    return samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all += samples }
            return all
        }
        let elapsed = seconds(since: start)
        let events = Double(latencies.count * eventsPerAppend)
        return Run(eventsPerSecond: events / elapsed, latenciesMilliseconds: latencies)
    }

    /// Warm-up, then `runs` measured runs; prints events/s and p50/p99 latency (median, min, max over runs).
    static func measure(
        store: EventStore, key: String, writers: Int, appends: Int, eventsPerAppend: Int, runs: Int, warmup: Bool
    ) async throws {
        if warmup {
            _ = try await run(
                store: store, writers: writers, appends: max(writers, appends / 4), eventsPerAppend: eventsPerAppend,
                tag: "warm")
        }
        var rates: [Double] = []
        var p50: [Double] = []
        var p99: [Double] = []
        for index in 0..<runs {
            let result = try await run(
                store: store, writers: writers, appends: appends, eventsPerAppend: eventsPerAppend, tag: key)
            rates.append(result.eventsPerSecond)
            p50.append(Stats.quantile(result.latenciesMilliseconds, 0.50))
            p99.append(Stats.quantile(result.latenciesMilliseconds, 0.99))
            Report.note(
                "\(key) run \(index + 1): \(Int(result.eventsPerSecond)) events/s, p50 "
                    + String(format: "%.2f ms, p99 %.2f ms", p50[index], p99[index]))
        }
        Report.figure("\(key).rate", rates, unit: "events/s")
        Report.figure("\(key).p50", p50, unit: "ms")
        Report.figure("\(key).p99", p99, unit: "ms")
    }
}
