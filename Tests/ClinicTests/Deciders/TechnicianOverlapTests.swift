import Foundation
import Testing
@testable import Clinic

@Suite("A technician is never double-booked")
struct TechnicianOverlapTests {
    let start = Fixture.date("2026-01-12")

    /// A second client of the same technician, ready for sessions.
    func secondClient(in world: World) throws -> World {
        var other = world
        other.client = ClientState(id: Fixture.uuid(0xB0B))
        try other.run(.register(World.registration(at: Fixture.date("2026-01-02"))))
        let at = Fixture.date("2026-01-02", hour: 11)
        try other.run(.recordScreening(World.screening(at: at)))
        try other.run(
            .signConsent(
                ConsentSigned(
                    at: at, consentID: Fixture.uuid(0xCD), formVersion: "1",
                    scopes: [.treatment])))
        let consultation = Fixture.uuid(0xC1)
        try other.run(
            .bookConsultation(
                ConsultationBooked(
                    at: at, appointmentID: consultation,
                    slot: TimeSlot(
                        start: Fixture.date("2026-01-03", hour: 12),
                        minutes: 60),
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID)))
        try other.run(
            .holdConsultation(
                World.held(
                    at: Fixture.date("2026-01-03", hour: 12),
                    appointment: consultation)))
        try other.run(
            .agreeTreatmentPlan(
                TreatmentPlanAgreed(
                    at: Fixture.date("2026-01-03", hour: 13), sessionsPlanned: 2,
                    pricing: PlanPricing(model: .perSession, price: Fixture.usd(1100)), depositDue: Fixture.usd(200))))
        return other
    }

    @Test func anOverlappingBookingOfTheSameTechnicianIsRejectedWithTheConflictingSlot() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: Fixture.uuid(1), start: start))
        let other = try secondClient(in: world)
        let overlapping = World.booking(1, id: Fixture.uuid(2), start: start.addingTimeInterval(3600))
        let rejection = other.rejection(overlapping)
        #expect(
            rejection
                == .technicianUnavailable(
                    Fixture.technicianID, conflicting: Fixture.uuid(1),
                    slot: TimeSlot(start: start, minutes: 180)))
        #expect(rejection?.message.contains("technician T-01 is already booked") == true)
    }

    @Test func backToBackBookingsAndOtherTechniciansAreAccepted() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: Fixture.uuid(1), start: start))
        let other = try secondClient(in: world)
        let backToBack = World.booking(1, id: Fixture.uuid(2), start: start.addingTimeInterval(3 * 3600))
        #expect(other.rejection(backToBack) == nil)
        let sameTime = World.booking(1, id: Fixture.uuid(3), start: start, technician: Fixture.otherTechnicianID)
        #expect(other.rejection(sameTime, technician: Fixture.otherTechnicianID) == nil)
    }

    @Test func aCancellationReleasesTheSlotForOthers() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: Fixture.uuid(1), start: start))
        let cancel = try world.run(
            .cancelSession(
                SessionCancelled(
                    at: Fixture.date("2026-01-05"), appointmentID: Fixture.uuid(1), cancelledBy: .client)))
        #expect(cancel.events.map(\.event.typeName) == ["client.session-cancelled", "technician.slot-released"])
        let other = try secondClient(in: world)
        #expect(other.rejection(World.booking(1, id: Fixture.uuid(2), start: start)) == nil)
    }

    @Test func aPerformedSessionKeepsItsSlot() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: Fixture.uuid(1), start: start), now: start)
        let performed = try world.run(World.performing(1, id: Fixture.uuid(1), at: start), now: start)
        #expect(performed.streams == [.client(Fixture.clientID)])
        #expect(world.technicians[Fixture.technicianID]?.reservations[Fixture.uuid(1)] != nil)
    }

    @Test func aNoShowReleasesTheSlotButOnlyOnceTheAppointmentStarted() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: Fixture.uuid(1), start: start))
        let early = ClientCommand.markSessionNoShow(
            SessionNoShow(
                at: Fixture.date("2026-01-05"),
                appointmentID: Fixture.uuid(1)))
        #expect(world.rejection(early) == .appointmentNotStarted(Fixture.uuid(1), start: start))
        let late = ClientCommand.markSessionNoShow(
            SessionNoShow(
                at: start.addingTimeInterval(1800),
                appointmentID: Fixture.uuid(1)))
        try world.run(late, now: start.addingTimeInterval(1800))
        #expect(world.technicians[Fixture.technicianID]?.reservations[Fixture.uuid(1)] == nil)
        #expect(world.client.treatments[Fixture.uuid(1)]?.status == .noShow)
    }

    @Test func reschedulingAConsultationMovesTheReservationBetweenTechnicians() throws {
        var world = try World.withClient()
        let id = Fixture.uuid(0xC2)
        try world.run(
            .bookConsultation(
                ConsultationBooked(
                    at: Fixture.date("2026-01-05"), appointmentID: id, slot: TimeSlot(start: start, minutes: 60),
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID)))
        let moved = TimeSlot(start: start.addingTimeInterval(1800), minutes: 60)
        let decision = try world.run(
            .rescheduleConsultation(
                ConsultationRescheduled(
                    at: Fixture.date("2026-01-05"), appointmentID: id, slot: moved, locationID: Fixture.locationID,
                    technicianID: Fixture.otherTechnicianID)), technician: Fixture.otherTechnicianID)
        #expect(
            decision.streams == [
                .client(Fixture.clientID), .technician(Fixture.technicianID),
                .technician(Fixture.otherTechnicianID),
            ])
        #expect(world.technicians[Fixture.technicianID]?.reservations[id] == nil)
        #expect(world.technicians[Fixture.otherTechnicianID]?.reservations[id]?.slot == moved)
    }

    @Test func reschedulingWithinTheSameTechniciansOwnSlotIsNotAConflict() throws {
        var world = try World.withClient()
        let id = Fixture.uuid(0xC2)
        try world.run(
            .bookConsultation(
                ConsultationBooked(
                    at: Fixture.date("2026-01-05"), appointmentID: id, slot: TimeSlot(start: start, minutes: 60),
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID)))
        let moved = TimeSlot(start: start.addingTimeInterval(1800), minutes: 60)
        try world.run(
            .rescheduleConsultation(
                ConsultationRescheduled(
                    at: Fixture.date("2026-01-05"), appointmentID: id, slot: moved, locationID: Fixture.locationID,
                    technicianID: Fixture.technicianID)))
        #expect(world.technicians[Fixture.technicianID]?.reservations[id]?.slot == moved)
    }

    @Test func slotsOverlapOnlyWhenTheyShareTime() {
        let slot = TimeSlot(start: start, minutes: 60)
        #expect(slot.overlaps(TimeSlot(start: start.addingTimeInterval(3599), minutes: 10)))
        #expect(!slot.overlaps(TimeSlot(start: start.addingTimeInterval(3600), minutes: 10)))
        #expect(!slot.overlaps(TimeSlot(start: start.addingTimeInterval(-600), minutes: 10)))
    }

    @Test func aSlotOverMidnightConflictsWithTheNextMorning() {
        var technician = TechnicianState(id: Fixture.technicianID)
        let late = TimeSlot(start: Fixture.date("2026-01-12", hour: 22), minutes: 240)
        technician.apply(
            .slotReserved(
                SlotReserved(
                    at: start, appointmentID: Fixture.uuid(1),
                    clientID: Fixture.clientID, kind: .session, slot: late,
                    locationID: Fixture.locationID)))
        let morning = TimeSlot(start: Fixture.date("2026-01-13", hour: 1), minutes: 30)
        #expect(technician.conflictingReservation(with: morning)?.appointmentID == Fixture.uuid(1))
    }

    @Test func tooLongOrEmptySlotsAreRejected() throws {
        let world = try World.readyForSessions()
        #expect(
            world.rejection(World.booking(1, id: Fixture.uuid(1), start: start, minutes: 0))
                == .invalidSlot(TimeSlot(start: start, minutes: 0), reason: "it must end after it starts"))
        let long = world.rejection(World.booking(1, id: Fixture.uuid(1), start: start, minutes: 9 * 60))
        #expect(long == .invalidSlot(TimeSlot(start: start, minutes: 9 * 60), reason: "it is longer than 480 min"))
    }
}
