import EventStore

/// Events gathered for one atomic multi-stream `append([StreamAppend])`, in the order they were added.
///
/// Two groupings, a trade-off between exact order and speed:
/// - `.consecutiveRuns`: consecutive events of the same stream share one `StreamAppend`; when the stream
///   changes a new one starts, even for a stream already in the batch. The store runs a request's appends
///   in order inside one transaction, so the log ends up in exactly the order the events were added (an
///   export's position order). Import uses it.
/// - `.byStream`: one `StreamAppend` per stream, in order of first appearance; each stream's events keep
///   their order, but the log groups them by stream within the batch. The store's cost per `StreamAppend`
///   (about 1.5 ms on the dev cluster, against 0.2 ms per event) makes this several times faster for
///   interleaved events. Generate uses it.
public struct AppendBatch: Sendable {
    public enum Grouping: Sendable { case consecutiveRuns, byStream }

    public let grouping: Grouping
    public private(set) var appends: [StreamAppend] = []
    private var indexByStream: [EventStreamName: Int] = [:]
    /// Events in the batch.
    public private(set) var count = 0
    /// For each append, the caller's tag of its first event (an import's line number, a generator's index).
    public private(set) var firstTags: [Int] = []

    public var isEmpty: Bool { count == 0 }

    public init(grouping: Grouping = .consecutiveRuns) {
        self.grouping = grouping
    }

    /// Adds an event; `expectedVersion` is used only when it starts a new run of its stream.
    public mutating func add(
        _ event: NewEvent, to stream: EventStreamName, expectedVersion: @autoclosure () -> ExpectedVersion, tag: Int = 0
    ) {
        let existing: Int?
        switch grouping {
        case .consecutiveRuns: existing = appends.indices.last.flatMap { appends[$0].stream == stream ? $0 : nil }
        case .byStream: existing = indexByStream[stream]
        }
        if let existing {
            appends[existing].events.append(event)
        } else {
            if grouping == .byStream { indexByStream[stream] = appends.count }
            appends.append(StreamAppend(stream: stream, expectedVersion: expectedVersion(), events: [event]))
            firstTags.append(tag)
        }
        count += 1
    }

    /// Empties the batch, returning what it held.
    public mutating func take() -> (appends: [StreamAppend], firstTags: [Int]) {
        defer {
            appends = []
            indexByStream = [:]
            firstTags = []
            count = 0
        }
        return (appends, firstTags)
    }
}
