import EventStore
import Foundation

/// Keys whose `finish` rows are due after folds that left them out (`foldBatch(finishing: false)`,
/// as a rebuild folds), with the time `fold` noted and the key's latest event. Shared by the
/// rebuild's builders (`StreamOrderBuilder`, `FoldingBuilder`) and the in-memory `InMemoryRebuild`, so all finish alike.
struct PendingFinishes {
    struct Due {
        let key: String
        let time: Date
        let event: RecordedEvent
    }

    private var due: [String: (time: Date, event: RecordedEvent)] = [:]

    /// Notes the keys a fold marked pending in `output`, with their last events of `batch` (by index,
    /// as `FoldingProjection.foldBatch` returns them).
    mutating func note(_ output: ProjectionOutput, batch: ProjectionBatch, lastEvents: [String: Int]) {
        for (key, time) in output.pendingTimes {
            guard let index = lastEvents[key] else { continue }
            var event = batch.items[index].recorded
            // Only the event's place and type are kept (to name it if `finish` refuses): not its payload.
            event.data = Data()
            event.metadataJSON = Data()
            due[key] = (time, event)
        }
    }

    /// Removes and returns what is due for `key`, if anything.
    mutating func take(_ key: String) -> Due? {
        guard let entry = due.removeValue(forKey: key) else { return nil }
        return Due(key: key, time: entry.time, event: entry.event)
    }

    /// Removes and returns the due keys among `keys` (every one when nil), in the order of their
    /// last events.
    mutating func take(_ keys: Set<String>? = nil) -> [Due] {
        let taken = due.filter { keys?.contains($0.key) ?? true }
            .sorted { $0.value.event.position < $1.value.event.position }
            .map { Due(key: $0.key, time: $0.value.time, event: $0.value.event) }
        for entry in taken { due[entry.key] = nil }
        return taken
    }
}
