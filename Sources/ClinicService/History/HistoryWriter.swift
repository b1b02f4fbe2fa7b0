import Clinic
import EventStore
import Foundation
import Projections

/// Appends a generated `ClinicHistory` through the event store: fast, in the generator's order, and
/// idempotent.
///
/// Events are batched into multi-stream appends of `chunkSize` events with `.any` expected versions
/// (the generator already enforced the rules), and the next chunk is generated and encoded while the
/// previous one is being written. Every event id is derived from the seed and the event's index in the
/// history, so writing the same history again appends nothing: the store sees the same ids with the
/// same content and answers with the original result. Metadata (the actor, a correlation id per run)
/// does not take part in that comparison.
public struct HistoryWriter: Sendable {
    /// How far the writer has got.
    public struct Progress: Sendable {
        /// Events written (or found already written) so far.
        public var events: Int
        /// Share of the history's business-time span covered so far, 0–1.
        public var fraction: Double
    }

    /// What a write did.
    public struct Summary: Sendable {
        /// Events in the history.
        public var events: Int
        /// Of those, events that were already stored (a repeated run).
        public var alreadyStored: Int
        /// Wall-clock seconds.
        public var seconds: Double
        /// Events per second.
        public var rate: Double { seconds > 0 ? Double(events) / seconds : 0 }
        /// Events appended by this run.
        public var appended: Int { events - alreadyStored }
    }

    public let store: EventStore
    /// Events per append call.
    public var chunkSize: Int
    /// The metadata actor.
    public var actor: String
    /// Groups every event of this run (metadata only; not part of idempotency).
    public var correlationID: UUID
    /// `.byStream` (default) is several times faster; `.consecutiveRuns` keeps the log in exact business-time
    /// order. A complete rerun is a no-op whatever the grouping and chunk size; resuming an interrupted run
    /// needs the same ones (a chunk that straddles stored and new events of a stream is an idempotency conflict).
    public var grouping: AppendBatch.Grouping

    public init(
        store: EventStore, chunkSize: Int = 2000, grouping: AppendBatch.Grouping = .byStream,
        actor: String = "generator", correlationID: UUID = UUID()
    ) {
        self.grouping = grouping
        self.store = store
        self.chunkSize = max(1, min(chunkSize, store.limits.maximumEventsPerAppend))
        self.actor = actor
        self.correlationID = correlationID
    }

    /// Writes the whole history; `progress` is called after each chunk is stored.
    ///
    /// Throws `HistoryWriter.ConflictError` when the store already holds different events under the
    /// derived ids (another history generated with the same seed).
    public func write(_ history: ClinicHistory, progress: (Progress) -> Void = { _ in }) async throws -> Summary {
        let clock = ContinuousClock()
        let started = clock.now
        let configuration = history.configuration
        let span = max(1, configuration.end.timeIntervalSince(configuration.start))
        let metadata = EventMetadata(actor: actor, correlationID: correlationID)
        let seed = configuration.seed
        let store = store
        var stored = 0
        var duplicates = 0

        try await withThrowingTaskGroup(of: (events: Int, duplicates: Int, fraction: Double).self) { group in
            var inFlight = false
            var batch = AppendBatch(grouping: grouping)
            var index = 0
            var lastAt = configuration.start

            // At most one append in flight: chunks commit in order while the next one is generated.
            func submit() async throws {
                let (appends, _) = batch.take()
                let fraction = min(1, lastAt.timeIntervalSince(configuration.start) / span)
                if inFlight, let done = try await group.next() {
                    stored += done.events
                    duplicates += done.duplicates
                    progress(Progress(events: stored, fraction: done.fraction))
                }
                group.addTask {
                    do {
                        let results = try await store.append(appends)
                        let events = appends.reduce(0) { $0 + $1.events.count }
                        let duplicateEvents = zip(appends, results).reduce(0) {
                            $0 + ($1.1.wasDuplicate ? $1.0.events.count : 0)
                        }
                        return (events, duplicateEvents, fraction)
                    } catch EventStoreError.idempotencyConflict(let stream, let eventID) {
                        throw ConflictError(seed: seed, stream: stream, eventID: eventID)
                    }
                }
                inFlight = true
            }

            for pending in history {
                let event = try pending.event.newEvent(id: Self.eventID(seed: seed, index: index), metadata: metadata)
                batch.add(event, to: try pending.stream.eventStreamName, expectedVersion: .any, tag: index)
                index += 1
                lastAt = pending.event.at
                if batch.count >= chunkSize { try await submit() }
            }
            if !batch.isEmpty { try await submit() }
            while let done = try await group.next() {
                stored += done.events
                duplicates += done.duplicates
                progress(Progress(events: stored, fraction: 1))
            }
        }
        return Summary(
            events: stored, alreadyStored: duplicates, seconds: (clock.now - started).inSeconds)
    }

    /// The id of the `index`-th event of the history generated from `seed`: a UUID (version 8, RFC 9562
    /// "custom") made of two SplitMix64 outputs over seed and index, so the same history always gets the
    /// same ids and different seeds or indices practically never share one.
    public static func eventID(seed: UInt64, index: Int) -> UUID {
        var generator = SplitMix64(seed: seed ^ 0x5354_4950_504C_4531)  // "STIPPLE1"
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

    /// The store already holds other content under an id this history derives.
    public struct ConflictError: Error, CustomStringConvertible {
        public var seed: UInt64
        public var stream: String
        public var eventID: UUID?

        public var description: String {
            "stream \(stream): event id \(eventID?.uuidString.lowercased() ?? "?") is already stored with different "
                + "content: this database holds another history generated with seed \(seed) (other --clients, "
                + "--locations, --technicians-per-location or --until); use another --seed or an empty database"
        }
    }
}
