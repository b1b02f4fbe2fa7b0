/// An event decided for a stream, not yet appended.
public struct PendingEvent: Hashable, Sendable {
    /// The stream to append to.
    public var stream: StreamName
    /// The event.
    public var event: ClinicEvent

    /// Creates a pending event.
    public init(stream: StreamName, event: ClinicEvent) {
        self.stream = stream
        self.event = event
    }
}
