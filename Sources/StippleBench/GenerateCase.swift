import Clinic
import EventStore
import Foundation

/// Appends the seeded clinic history through `EventStore.append` in large multi-stream chunks (the
/// approach of the CLI's `HistoryWriter`), stopping when the generator's events in the log reach `target`.
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
        var appends: [StreamAppend] = []
        var slot: [EventStreamName: Int] = [:]
        var inBatch = 0
        var inFlight: Task<Void, any Error>? = nil

        // At most one chunk in flight: the next one is generated while the previous one commits.
        func submit() async throws {
            let chunk = appends
            appends = []
            slot = [:]
            inBatch = 0
            if let inFlight { try await inFlight.value }
            inFlight = Task { _ = try await store.append(chunk) }
        }

        for pending in ClinicHistory(HistoryConfiguration(seed: seed, clientCount: clients)) {
            defer { index += 1 }
            guard index >= stored else { continue }
            guard index < target else { break }
            let (type, schemaVersion, data) = try pending.event.encoded()
            let event = NewEvent(
                id: eventID(seed: seed, index: index), type: type, schemaVersion: schemaVersion, data: data,
                metadata: metadata)
            let stream = try EventStreamName(pending.stream.rawValue)
            if let existing = slot[stream] {
                appends[existing].events.append(event)
            } else {
                slot[stream] = appends.count
                appends.append(StreamAppend(stream: stream, expectedVersion: .any, events: [event]))
            }
            inBatch += 1
            appended += 1
            if inBatch >= chunkSize { try await submit() }
        }
        if inBatch > 0 { try await submit() }
        if let inFlight { try await inFlight.value }
        let elapsed = seconds(since: start)
        Report.note(
            "generate: appended \(appended) events (to \(stored + appended)) in "
                + String(format: "%.1f s, %.0f events/s", elapsed, Double(appended) / max(elapsed, 1e-9)))
        print(String(format: "RESULT generate.to%d %.3f %.3f %.3f events/s", target,
            Double(appended) / max(elapsed, 1e-9), Double(appended) / max(elapsed, 1e-9),
            Double(appended) / max(elapsed, 1e-9)))
    }

    /// A stable id per (seed, index), as `HistoryWriter.eventID` derives it.
    static func eventID(seed: UInt64, index: Int) -> UUID {
        var generator = SplitMix64(seed: seed ^ 0x5354_4950_504C_4531)
        let base = generator.next()
        var mixer = SplitMix64(seed: base &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
        let high = mixer.next()
        let low = mixer.next()
        func byte(_ word: UInt64, _ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: word >> (56 - 8 * index)) }
        return UUID(
            uuid: (
                byte(high, 0), byte(high, 1), byte(high, 2), byte(high, 3), byte(high, 4), byte(high, 5),
                byte(high, 6) & 0x0F | 0x80, byte(high, 7),
                byte(low, 0) & 0x3F | 0x80, byte(low, 1), byte(low, 2), byte(low, 3), byte(low, 4), byte(low, 5),
                byte(low, 6), byte(low, 7)
            ))
    }
}
