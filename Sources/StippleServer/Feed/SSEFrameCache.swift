import EventStore
import Foundation
import Synchronization

/// The server-sent-event frame of each recent event, encoded once and shared by every subscriber
/// that sends it (the encoding, through `EventJSON`, costs far more than writing it out).
///
/// Holds the frames of about the last `capacity` positions, each for at most `maximumAge`: a frame
/// holds decrypted personal data, which must not outlive a `forget` by more than a moment.
final class SSEFrameCache: Sendable {
    private struct Entry {
        var frame: String
        var encodedAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Int64: Entry] = [:]
        var newest: Int64 = 0
    }

    let capacity: Int
    let maximumAge: Duration
    private let state = Mutex(State())

    init(capacity: Int = 4096, maximumAge: Duration = .seconds(5)) {
        self.capacity = max(1, capacity)
        self.maximumAge = maximumAge
    }

    /// `id: TOKEN`, `event: TYPE` and `data: JSON` lines and the blank line that ends them.
    func frame(_ event: RecordedEvent) -> String {
        let now = ContinuousClock.now
        if let entry = state.withLock({ $0.entries[event.position] }), now - entry.encodedAt < maximumAge {
            return entry.frame
        }
        let frame = Self.encode(event)
        state.withLock { state in
            state.entries[event.position] = Entry(frame: frame, encodedAt: now)
            state.newest = max(state.newest, event.position)
            // Forget old ones in bulk, not one by one on every insert.
            if state.entries.count > 2 * capacity {
                let oldest = state.newest - Int64(capacity)
                state.entries = state.entries.filter { $0.key > oldest && now - $0.value.encodedAt < maximumAge }
            }
        }
        return frame
    }

    static func encode(_ event: RecordedEvent) -> String {
        var text = "id: \(event.checkpoint.token)\nevent: \(event.type)\ndata: "
        text += String(decoding: EventJSON.data(event), as: UTF8.self)
        text += "\n\n"
        return text
    }
}
