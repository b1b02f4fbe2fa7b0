import Foundation

/// A slot was reserved for an appointment: written with the client's booking event in one atomic append.
public struct SlotReserved: EventPayload {
    /// `technician.slot-reserved`.
    public static let typeName = "technician.slot-reserved"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The appointment.
    public var appointmentID: AppointmentID
    /// The client.
    public var clientID: ClientID
    /// What for.
    public var kind: AppointmentKind
    /// When.
    public var slot: TimeSlot
    /// Where.
    public var locationID: LocationID

    /// Creates the payload.
    public init(
        at: Date, appointmentID: AppointmentID, clientID: ClientID, kind: AppointmentKind, slot: TimeSlot,
        locationID: LocationID
    ) {
        self.at = at
        self.appointmentID = appointmentID
        self.clientID = clientID
        self.kind = kind
        self.slot = slot
        self.locationID = locationID
    }
}
