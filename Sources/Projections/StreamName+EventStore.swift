import Clinic
import EventStore

extension Clinic.StreamName {
    /// The same stream as the event store names it: the one bridge between the domain's stream names and
    /// the store's (here, the lowest module that knows both).
    public var eventStreamName: EventStreamName {
        get throws { try EventStreamName(rawValue) }
    }
}

extension EventStreamName {
    /// The same stream as the clinic domain names it.
    public var clinicStreamName: Clinic.StreamName? { Clinic.StreamName(rawValue: rawValue) }
}
