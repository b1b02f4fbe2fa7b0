import Foundation
import Testing
@testable import Clinic

@Suite("Session prerequisites")
struct SessionPrerequisiteTests {
    let start = Fixture.date("2026-01-12")
    let id = Fixture.uuid(0x5E01)

    @Test func aSessionCanBeBookedOnceConsultationConsentAndScreeningAreInPlace() throws {
        let world = try World.readyForSessions()
        let decision = try world.decide(World.booking(1, id: id, start: start))
        #expect(decision.streams == [.client(Fixture.clientID), .technician(Fixture.technicianID)])
        #expect(decision.events.map(\.event.typeName) == ["client.session-booked", "technician.slot-reserved"])
    }

    @Test func aSessionForAnUnregisteredClientIsRejected() throws {
        let world = try World.clinic()
        #expect(world.rejection(World.booking(1, id: id, start: start)) == .clientNotRegistered(Fixture.clientID))
    }

    @Test func aSessionBeforeAConsultationWasHeldIsRejected() throws {
        var world = try World.withClient()
        try world.run(.recordScreening(World.screening(at: Fixture.date("2026-01-02", hour: 10))))
        try world.run(
            .signConsent(
                ConsentSigned(
                    at: Fixture.date("2026-01-02", hour: 10), consentID: World.consentID,
                    formVersion: "1", scopes: [.treatment])))
        #expect(world.rejection(World.booking(1, id: id, start: start)) == .noConsultationHeld)
    }

    @Test func aSessionWithoutTreatmentConsentIsRejected() throws {
        var world = try World.readyForSessions()
        try world.run(
            .withdrawConsent(
                ConsentWithdrawn(
                    at: Fixture.date("2026-01-04"), formVersion: "2023-06",
                    scopes: [.treatment])))
        #expect(world.rejection(World.booking(1, id: id, start: start)) == .consentMissing(.treatment, at: start))
    }

    @Test func aSessionWithoutScreeningIsRejected() throws {
        var world = try World.withClient()
        let at = Fixture.date("2026-01-02", hour: 10)
        try world.run(
            .signConsent(
                ConsentSigned(
                    at: at, consentID: World.consentID, formVersion: "1",
                    scopes: [.treatment])))
        try world.run(
            .bookConsultation(
                ConsultationBooked(
                    at: at, appointmentID: World.consultationID, slot: TimeSlot(start: at, minutes: 60),
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID)))
        try world.run(.holdConsultation(World.held(at: at)))
        #expect(world.rejection(World.booking(1, id: id, start: start)) == .noScreening)
    }

    @Test func aBlockingContraindicationRejectsTheBookingWithoutOverride() throws {
        let world = try World.readyForSessions(contraindications: [.keloidHistory, .diabetes])
        #expect(world.rejection(World.booking(1, id: id, start: start)) == .blockingContraindications([.keloidHistory]))
    }

    @Test func diabetesAloneDoesNotBlockTreatment() throws {
        let world = try World.readyForSessions(contraindications: [.diabetes])
        #expect(world.rejection(World.booking(1, id: id, start: start)) == nil)
    }

    @Test func anOverrideNeedsAWrittenReason() throws {
        let world = try World.readyForSessions(contraindications: [.bleedingDisorder])
        let blank = ContraindicationOverride(technicianID: Fixture.technicianID, reason: "  ")
        #expect(world.rejection(World.booking(1, id: id, start: start, override: blank)) == .overrideReasonMissing)
    }

    @Test func anOverrideWithAReasonIsAcceptedAndKeptInTheEvent() throws {
        let world = try World.readyForSessions(contraindications: [.bleedingDisorder, .keloidHistory])
        let override = ContraindicationOverride(technicianID: Fixture.technicianID, reason: "Haematologist cleared")
        let decision = try world.decide(World.booking(1, id: id, start: start, override: override))
        guard case .client(.sessionBooked(let booked)) = decision.events.first?.event else {
            Issue.record("expected a session booking")
            return
        }
        #expect(booked.contraindicationOverride?.reason == "Haematologist cleared")
        #expect(booked.contraindicationOverride?.overridden == [.bleedingDisorder, .keloidHistory])
    }

    @Test func aSessionNeedsAnAgreedPlan() throws {
        var world = try World.readyForSessions()
        world.client.plan = nil
        #expect(world.rejection(World.booking(1, id: id, start: start)) == .noTreatmentPlan)
    }

    @Test func bookingInThePastIsRejected() throws {
        let world = try World.readyForSessions()
        let command = World.booking(1, id: id, start: start, at: start.addingTimeInterval(3600))
        #expect(
            world.rejection(command, now: start.addingTimeInterval(3600))
                == .appointmentInThePast(start: start, bookedAt: start.addingTimeInterval(3600)))
    }

    @Test func aCommandDatedAfterNowIsRejected() throws {
        let world = try World.readyForSessions()
        let command = World.booking(1, id: id, start: start, at: start)
        #expect(
            world.rejection(command, now: Fixture.date("2026-01-05"))
                == .inTheFuture(at: start, now: Fixture.date("2026-01-05")))
    }

    @Test func bookingMoreSessionsThanPlannedIsRejected() throws {
        var world = try World.readyForSessions()
        try world.completeCourse()
        let later = Fixture.date("2026-04-01")
        #expect(
            world.rejection(World.booking(4, id: Fixture.uuid(0x5E04), start: later), now: later)
                == .courseComplete(sessionsPlanned: 3))
    }

    @Test func aSessionNumberOutOfOrderIsRejected() throws {
        let world = try World.readyForSessions()
        #expect(
            world.rejection(World.booking(2, id: id, start: start))
                == .invalidValue(field: "sessionNumber", reason: "the next session is 1"))
    }
}
