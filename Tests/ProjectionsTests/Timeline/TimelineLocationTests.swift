import Clinic
import Foundation
import Testing

@testable import Projections

@Suite("Timeline entries name the location they happened at, so readers show them in its time zone")
struct TimelineLocationTests {
    @Test("a booking names its location; a cancellation its appointment's; a payment at the desk its own")
    func locations() throws {
        let appointment = UUID()
        let open = [
            appointment.uuidString: TimelineProjection.State.Appointment(
                startsAt: Date(), kind: "consultation", technician: "tech-a", location: "AKL")
        ]
        let booked = ClientEvent.consultationBooked(
            ConsultationBooked(
                at: Date(), appointmentID: appointment, slot: TimeSlot(start: Date(), minutes: 60),
                locationID: try #require(LocationID("AKL")), technicianID: try #require(TechnicianID("tech-a"))))
        #expect(TimelineProjection.location(of: booked, open: [:]) == "AKL")
        let cancelled = ClientEvent.consultationCancelled(
            ConsultationCancelled(at: Date(), appointmentID: appointment, cancelledBy: .client))
        #expect(TimelineProjection.location(of: cancelled, open: open) == "AKL")
        #expect(TimelineProjection.location(of: cancelled, open: [:]) == nil, "an unknown appointment has no place")
        let paid = ClientEvent.paymentReceived(
            PaymentReceived(
                at: Date(), paymentID: UUID(), amount: Money(minorUnits: 100, currency: .usd), method: .card,
                purpose: .consultation, locationID: LocationID("LDN")))
        #expect(TimelineProjection.location(of: paid, open: open) == "LDN")
    }
}
