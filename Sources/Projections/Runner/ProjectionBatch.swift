import Clinic
import EventStore
import Foundation

/// A run of events in log order, each decoded once into the clinic's types for every
/// projection that reads the batch.
public struct ProjectionBatch: Sendable {
    /// One event as stored, and its clinic meaning (or why it has none).
    ///
    /// A class, so that the projections folding a batch share one copy: every projection takes every
    /// item of a batch (twice: for its key, then to fold it), and copying a struct this size retained
    /// each string and buffer it holds, seven projections times per event in a rebuild.
    public final class Item: Sendable {
        public let recorded: RecordedEvent
        public let decoded: Result<ClinicEvent, DecodeFailure>

        /// An event and what it decoded to.
        public init(recorded: RecordedEvent, decoded: Result<ClinicEvent, DecodeFailure>) {
            self.recorded = recorded
            self.decoded = decoded
        }

        /// Runs `body` with the stored event and what it decoded to, lent rather than copied: reading them
        /// out of the item copied each (a retain per string and buffer they hold), for every projection
        /// that folds the event.
        @inline(__always)
        func withContents<Result>(
            _ body: (RecordedEvent, Swift.Result<ClinicEvent, DecodeFailure>) throws -> Result
        ) rethrows -> Result {
            try body(recorded, decoded)
        }

        /// The clinic event, or a `ProjectionFailure` naming the event when it cannot be decoded.
        public func clinicEvent(for projection: String) throws -> ClinicEvent {
            switch decoded {
            case .success(let event): return event
            case .failure(let failure):
                throw ProjectionFailure(projection: projection, event: recorded, reason: failure.message)
            }
        }
    }

    /// Why an event has no clinic meaning.
    public struct DecodeFailure: Error, Sendable {
        public var message: String
    }

    public let items: [Item]
    /// The store the batch was read from, if its reader says so: a rebuild's log-order builders fold the states its
    /// pass left (`FoldingProjection.stream(forKey:)`) from it. (The live runner folds them between its transactions
    /// from its own store, `FoldStatesToRefold`, and does not set it.)
    public var store: EventStore?

    public init(items: [Item], store: EventStore? = nil) {
        self.items = items
        self.store = store
    }

    /// Decodes every event (once), spread over the processor's cores for a large batch: decoding
    /// JSON is most of a batch's client-side cost, and each event decodes on its own.
    public init(events: [RecordedEvent], store: EventStore? = nil) {
        self.store = store
        let count = events.count
        let chunks = count >= 256 ? min(Self.cores, 8, count / 128) : 1
        guard chunks > 1 else {
            items = events.map(Self.decode)
            return
        }
        items = [Item](unsafeUninitializedCapacity: count) { buffer, initialized in
            let slots = Slots(base: buffer.baseAddress)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                guard let base = slots.base else { return }
                let range = (count * chunk / chunks)..<(count * (chunk + 1) / chunks)
                for index in range { (base + index).initialize(to: Self.decode(events[index])) }
            }
            initialized = count
        }
    }

    /// The processor's active cores, read once (`activeProcessorCount` reads the system's CPU set on
    /// every call: it showed in a rebuild's profile, asked a few times per batch).
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// The uninitialised item slots, each written by exactly one chunk.
    private struct Slots: @unchecked Sendable {
        let base: UnsafeMutablePointer<Item>?
    }

    private static func decode(_ recorded: RecordedEvent) -> Item {
        Item(
            recorded: recorded,
            decoded: Result {
                try ClinicEvent.decode(type: recorded.type, schemaVersion: recorded.schemaVersion, data: recorded.data)
            }.mapError { DecodeFailure(message: String(describing: $0)) })
    }

    public var events: [RecordedEvent] { items.map(\.recorded) }
    public var isEmpty: Bool { items.isEmpty }
    public var lastPosition: Int64? { items.last?.recorded.position }

    /// The events after `position` only.
    public func after(_ position: Int64) -> ProjectionBatch {
        guard let first = items.first, first.recorded.position <= position else { return self }
        return ProjectionBatch(items: items.filter { $0.recorded.position > position }, store: store)
    }

    /// The events up to and including `position` only.
    public func upTo(_ position: Int64) -> ProjectionBatch {
        ProjectionBatch(items: items.filter { $0.recorded.position <= position }, store: store)
    }
}
