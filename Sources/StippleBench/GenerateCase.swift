import Clinic
import ClinicService
import EventStore
import Foundation
import Projections

/// Appends the seeded clinic history through `EventStore.append` in large multi-stream chunks (the ids and
/// batching of `HistoryWriter`), stopping when the generator's events in the log reach `target`.
///
/// The history is the same for the same seed and client count, so growing a log from 10k to 100k
/// events re-generates (in memory) and skips the events already stored, then appends the rest.
enum GenerateCase {
    static func run(store: EventStore, target: Int, clients: Int, seed: UInt64, chunkSize: Int) async throws {
        let stored = try await store.pool.withConnection { connection in
            try await connection.query("SELECT count(*) FROM events WHERE category <> 'bench'").first?.decode(
                Int.self, at: 0) ?? 0
        }
        guard stored < target else {
            Report.note("generate: \(stored) generator events already stored")
            return
        }
        let metadata = EventMetadata(actor: "generator", correlationID: UUID())
        let start = ContinuousClock.now
        var appended = 0
        var index = 0
        var batch = AppendBatch(grouping: .byStream)
        var inFlight: Task<Void, any Error>? = nil

        // At most one chunk in flight: the next one is generated while the previous one commits.
        func submit() async throws {
            let (chunk, _) = batch.take()
            if let inFlight { try await inFlight.value }
            inFlight = Task { _ = try await store.append(chunk) }
        }

        for pending in ClinicHistory(HistoryConfiguration(seed: seed, clientCount: clients)) {
            defer { index += 1 }
            guard index >= stored else { continue }
            guard index < target else { break }
            let event = try pending.event.newEvent(
                id: HistoryWriter.eventID(seed: seed, index: index), metadata: metadata)
            batch.add(event, to: try pending.stream.eventStreamName, expectedVersion: .any)
            appended += 1
            if batch.count >= chunkSize { try await submit() }
        }
        if !batch.isEmpty { try await submit() }
        if let inFlight { try await inFlight.value }
        let elapsed = seconds(since: start)
        Report.note(
            "generate: appended \(appended) events (to \(stored + appended)) in "
                + String(format: "%.1f s, %.0f events/s", elapsed, Double(appended) / max(elapsed, 1e-9)))
        print(
            String(
                format: "RESULT generate.to%d %.3f %.3f %.3f events/s", target,
                Double(appended) / max(elapsed, 1e-9), Double(appended) / max(elapsed, 1e-9),
                Double(appended) / max(elapsed, 1e-9)))
    }
}
