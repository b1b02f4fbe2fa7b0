/// Follows the log from a checkpoint: first every stored event after it, then each new
/// one as it commits, woken by `NOTIFY` (with a slow poll as a safety net) — a `LogTail` read
/// one event at a time.
///
/// Each event is delivered once, in log order; the consumer pulls, so a slow consumer
/// only slows itself. A dropped database connection is retried with backoff and the
/// subscription carries on from the last delivered event, so nothing is lost or repeated.
/// The sequence ends (returns nil) when its task is cancelled.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent

    let store: EventStore
    let after: Checkpoint
    let category: String?
    let batchSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, checkpoint: after, category: category, batchSize: batchSize)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let category: String?
        let batchSize: Int
        var tail: LogTail
        /// The position of the last delivered event.
        public private(set) var checkpoint: Checkpoint
        var buffer: [RecordedEvent] = []
        var index = 0

        init(store: EventStore, checkpoint: Checkpoint, category: String?, batchSize: Int) {
            self.tail = LogTail(store: store)
            self.checkpoint = checkpoint
            self.category = category
            self.batchSize = batchSize
        }

        public mutating func next() async throws -> RecordedEvent? {
            while index >= buffer.count {
                do {
                    buffer = try await tail.nextPage(after: checkpoint, category: category, limit: batchSize)
                    index = 0
                } catch is CancellationError {
                    return nil
                }
            }
            let event = buffer[index]
            index += 1
            checkpoint = event.checkpoint
            return event
        }
    }
}
