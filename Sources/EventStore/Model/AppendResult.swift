/// What an append did to one stream.
public struct AppendResult: Sendable, Hashable {
    public var stream: StreamName
    /// The stream's version after the append (its last event's version).
    public var streamVersion: Int
    /// The appended events' global positions, in order.
    public var positions: [Int64]
    /// True when these events were already stored by an earlier identical append.
    public var wasDuplicate: Bool

    public init(stream: StreamName, streamVersion: Int, positions: [Int64], wasDuplicate: Bool) {
        self.stream = stream
        self.streamVersion = streamVersion
        self.positions = positions
        self.wasDuplicate = wasDuplicate
    }
}

/// Events for one stream inside an atomic multi-stream append.
public struct StreamAppend: Sendable, Hashable {
    public var stream: StreamName
    public var expectedVersion: ExpectedVersion
    public var events: [NewEvent]

    public init(stream: StreamName, expectedVersion: ExpectedVersion, events: [NewEvent]) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
    }
}
