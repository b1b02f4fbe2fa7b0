import Foundation

/// A consultation as the client stream knows it.
public struct ConsultationRecord: Hashable, Sendable {
    /// The appointment.
    public var appointmentID: AppointmentID
    /// When.
    public var slot: TimeSlot
    /// With whom.
    public var technicianID: TechnicianID
    /// Where.
    public var locationID: LocationID
    /// Status.
    public var status: AppointmentStatus
}
