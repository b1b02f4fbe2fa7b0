import struct Clinic.SplitMix64
import EventStore
import Foundation
import Postgres
import Projections

/// Latency of the read-model queries a clinic asks, through their public query functions.
enum QueryCase {
    static func run(store: EventStore, count: Int) async throws {
        let pool = store.pool
        let clients = try await pool.withConnection { connection in
            try await connection.query("SELECT client_id FROM timeline.timeline_clients ORDER BY client_id").map {
                try $0.decode(UUID.self)
            }
        }
        let batches = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT batch_number FROM traceability.traceability_batches ORDER BY batch_number"
            ).map { try $0.decode(String.self) }
        }
        let lastDay = try await pool.withConnection { connection in
            try await connection.query("SELECT coalesce(max(day)::text, '2026-01-01') FROM revenue.revenue_daily")
                .first?.decode(String.self) ?? "2026-01-01"
        }
        guard !clients.isEmpty, !batches.isEmpty else { throw BenchError.failed("queries: the projections are empty") }
        // The last full year of the history.
        let year = (Int(lastDay.prefix(4)) ?? 2026) - 1
        Report.note("queries: \(clients.count) clients, \(batches.count) pigment batches, revenue for \(year)")

        var rng = SplitMix64(seed: 42)
        func timed(_ n: Int, _ body: (Int) async throws -> Void) async throws -> [Double] {
            var samples: [Double] = []
            for i in 0..<n {
                let start = ContinuousClock.now
                try await body(i)
                samples.append(seconds(since: start) * 1000)
            }
            return samples
        }
        let recall = RecallQueries(pool: pool)
        // Warm-up: one pass of each.
        _ = try await timed(max(10, count / 10)) { _ in
            _ = try await TimelineQueries.timeline(
                client: clients[Int(rng.next() % UInt64(clients.count))], store: store)
        }
        _ = try await RevenueQueries.report(from: "\(year)-01-01", to: "\(year)-12-31", by: .month, pool: pool)
        _ = try await recall.recall(batch: batches[0])

        let timeline = try await timed(count) { _ in
            let client = clients[Int(rng.next() % UInt64(clients.count))]
            guard try await TimelineQueries.timeline(client: client, store: store) != nil else {
                throw BenchError.failed("no timeline for \(client)")
            }
        }
        let revenue = try await timed(max(20, count / 5)) { _ in
            _ = try await RevenueQueries.report(from: "\(year)-01-01", to: "\(year)-12-31", by: .month, pool: pool)
        }
        let recalls = try await timed(max(20, count / 2)) { _ in
            _ = try await recall.recall(batch: batches[Int(rng.next() % UInt64(batches.count))])
        }
        for (name, samples) in [("timeline", timeline), ("revenue", revenue), ("recall", recalls)] {
            let p50 = Stats.quantile(samples, 0.5)
            let p99 = Stats.quantile(samples, 0.99)
            print(String(format: "RESULT query.%@.p50 %.3f %.3f %.3f ms", name, p50, p50, p50))
            print(String(format: "RESULT query.%@.p99 %.3f %.3f %.3f ms", name, p99, p99, p99))
            Report.note("query \(name): \(samples.count) runs, " + String(format: "p50 %.2f ms, p99 %.2f ms", p50, p99))
        }
    }
}
