import Foundation
import Testing
@testable import Clinic

@Suite("Client registration, forgetting and aftercare records")
struct ClientLifecycleTests {
    @Test func aClientCannotBeRegisteredTwice() throws {
        let world = try World.withClient()
        #expect(
            world.rejection(.register(World.registration(at: Fixture.date("2026-01-04"))))
                == .clientAlreadyRegistered(Fixture.clientID))
    }

    @Test func aRegistrationWithABlankNameIsRejected() throws {
        let world = try World.clinic()
        var registration = World.registration(at: Fixture.date("2026-01-04"))
        registration.personal.fullName = " "
        #expect(
            world.rejection(.register(registration))
                == .invalidValue(field: "personal.fullName", reason: "must not be blank"))
    }

    @Test func aForgottenClientLosesPersonalDataAndRefusesNewCommands() throws {
        var world = try World.readyForSessions()
        try world.run(
            .receivePayment(
                PaymentReceived(
                    at: Fixture.date("2026-01-04"), paymentID: Fixture.uuid(1),
                    amount: Fixture.usd(300), method: .cash, purpose: .package)))
        try world.run(.forget(ClientForgotten(at: Fixture.date("2026-01-05"), reason: "Erasure request")))
        #expect(world.client.personal == nil)
        #expect(world.client.screening?.personal == ScreeningPersonal())
        let fade = ClientCommand.observeFade(
            FadeObserved(
                at: Fixture.date("2026-01-05"), density: 0.9,
                method: .visualEstimate))
        #expect(world.rejection(fade) == .clientForgotten(Fixture.clientID))
        #expect(
            world.rejection(.forget(ClientForgotten(at: Fixture.date("2026-01-05"), reason: "again")))
                == .clientForgotten(Fixture.clientID))
        let refund = ClientCommand.issueRefund(
            RefundIssued(
                at: Fixture.date("2026-01-05"), refundID: Fixture.uuid(2),
                amount: Fixture.usd(300), method: .cash, reason: "Erasure"))
        #expect(world.rejection(refund) == nil)
    }

    @Test func forgettingReleasesTheClientsBookedSlots() throws {
        var world = try World.readyForSessions()
        let start = Fixture.date("2026-01-12")
        try world.run(World.booking(1, id: Fixture.uuid(1), start: start))
        let decision = try world.run(.forget(ClientForgotten(at: Fixture.date("2026-01-05"), reason: "Erasure")))
        #expect(decision.events.map(\.event.typeName) == ["client.forgotten", "technician.slot-released"])
        #expect(world.technicians[Fixture.technicianID]?.reservations[Fixture.uuid(1)] == nil)
        #expect(world.technicians[Fixture.technicianID]?.reservations[World.consultationID] != nil)
        #expect(world.client.treatments[Fixture.uuid(1)]?.status == .cancelled)
    }

    @Test func fadeObservationsNeedATreatmentAndADensityBetweenZeroAndOne() throws {
        var world = try World.readyForSessions()
        let at = Fixture.date("2026-06-01")
        let fade = { (density: Double) in
            ClientCommand.observeFade(FadeObserved(at: at, density: density, method: .photoAnalysis, uvExposure: .high))
        }
        #expect(world.rejection(fade(0.9), now: at) == .noTreatmentPerformed)
        try world.completeCourse()
        #expect(world.rejection(fade(0.9), now: at) == nil)
        #expect(
            world.rejection(fade(-0.1), now: at)
                == .invalidValue(field: "density", reason: "must be between 0 and 1, not -0.1"))
    }

    @Test func healingChecksNeedAPerformedSession() throws {
        var world = try World.readyForSessions()
        let start = Fixture.date("2026-01-12")
        try world.run(World.booking(1, id: Fixture.uuid(1), start: start))
        let check = ClientCommand.recordHealingCheck(
            HealingCheckRecorded(
                at: start, appointmentID: Fixture.uuid(1), day: 7, assessment: .normal))
        #expect(world.rejection(check, now: start) == .appointmentNotBooked(Fixture.uuid(1), status: .booked))
        try world.run(World.performing(1, id: Fixture.uuid(1), at: start), now: start)
        #expect(world.rejection(check, now: start) == nil)
    }

    @Test func adverseReactionsAndCorrectionsNeedATreatment() throws {
        var world = try World.readyForSessions()
        let at = Fixture.date("2026-03-01")
        let reaction = ClientCommand.reportAdverseReaction(
            AdverseReactionReported(
                at: at, kind: .blowout, severity: .mild, pigmentBatch: Fixture.batchNumber))
        let correction = ClientCommand.performCorrection(
            CorrectionPerformed(
                at: at, method: .laserRemoval, sessionNumber: 1, areas: [.frontalHairline], provider: "Laser clinic"))
        #expect(world.rejection(reaction, now: at) == .noTreatmentPerformed)
        #expect(world.rejection(correction, now: at) == .noTreatmentPerformed)
        try world.completeCourse()
        #expect(world.rejection(reaction, now: at) == nil)
        #expect(world.rejection(correction, now: at) == nil)
    }

    @Test func aSecondPlanIsRejected() throws {
        let world = try World.readyForSessions()
        let plan = TreatmentPlanAgreed(
            at: Fixture.date("2026-01-04"), sessionsPlanned: 2,
            pricing: PlanPricing(model: .package, price: Fixture.usd(1900)),
            depositDue: Fixture.usd(200))
        #expect(world.rejection(.agreeTreatmentPlan(plan)) == .treatmentPlanAlreadyAgreed)
    }

    @Test func consultationsCanBeCancelledOnlyWhileBooked() throws {
        var world = try World.withClient()
        let id = Fixture.uuid(0xC3)
        let at = Fixture.date("2026-01-04")
        try world.run(
            .bookConsultation(
                ConsultationBooked(
                    at: at, appointmentID: id, slot: TimeSlot(start: Fixture.date("2026-01-09"), minutes: 60),
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID)))
        let cancel = ClientCommand.cancelConsultation(
            ConsultationCancelled(
                at: at, appointmentID: id,
                cancelledBy: .client))
        try world.run(cancel)
        #expect(world.rejection(cancel) == .appointmentNotBooked(id, status: .cancelled))
        #expect(
            world.rejection(.holdConsultation(World.held(at: at, appointment: Fixture.uuid(0x99))))
                == .unknownAppointment(Fixture.uuid(0x99)))
    }
}
