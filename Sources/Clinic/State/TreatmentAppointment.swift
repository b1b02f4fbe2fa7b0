import Foundation

/// A session or touch-up appointment as the client stream knows it.
public struct TreatmentAppointment: Hashable, Sendable {
    /// The appointment.
    public var appointmentID: AppointmentID
    /// Session or touch-up.
    public var kind: AppointmentKind
    /// Number in the course (sessions only).
    public var sessionNumber: Int?
    /// When it was booked for.
    public var slot: TimeSlot
    /// With whom.
    public var technicianID: TechnicianID
    /// Where.
    public var locationID: LocationID
    /// Status.
    public var status: AppointmentStatus
    /// When it was performed.
    public var performedAt: Date?

    /// The time the healing interval counts from: when it was performed, else when it is booked for.
    public var treatmentTime: Date { performedAt ?? slot.start }
}
