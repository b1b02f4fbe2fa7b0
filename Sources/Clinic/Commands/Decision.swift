/// The outcome of an accepted command: events for one or more streams, to append atomically.
///
/// The command handler appends all of them in one multi-stream append, with the expected version of every stream
/// written to (the version it folded before deciding). A booking writes the client stream and the technician
/// stream, so two concurrent bookings of the same technician collide on the technician stream's version; the
/// retry re-folds, re-decides and gets `Rejection.technicianUnavailable`.
public struct Decision: Hashable, Sendable {
    /// The events, in append order.
    public var events: [PendingEvent]

    /// Creates a decision.
    public init(_ events: [PendingEvent]) {
        self.events = events
    }

    /// The distinct streams written, in first-appearance order.
    public var streams: [StreamName] {
        var seen = Set<StreamName>()
        return events.compactMap { seen.insert($0.stream).inserted ? $0.stream : nil }
    }

    /// The events for one stream, in order.
    public func events(for stream: StreamName) -> [ClinicEvent] {
        events.filter { $0.stream == stream }.map(\.event)
    }
}
