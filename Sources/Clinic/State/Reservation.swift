import Foundation

/// A slot a technician holds for an appointment.
public struct Reservation: Hashable, Sendable {
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
}
