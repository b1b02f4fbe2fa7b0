import Foundation
import Testing
@testable import Clinic

@Suite("Pigment batches and certifications at treatment time")
struct PigmentAndCertificationTests {
    let start = Fixture.date("2026-01-12")
    let id = Fixture.uuid(0x5E01)

    func booked() throws -> World {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: id, start: start), now: start)
        return world
    }

    @Test func aSessionWithAValidBatchIsPerformedAndRecordsTheBatchExpiry() throws {
        let world = try booked()
        let decision = try world.decide(World.performing(1, id: id, at: start), now: start)
        guard case .client(.sessionPerformed(let performed)) = decision.events.first?.event else {
            Issue.record("expected a performed session")
            return
        }
        #expect(performed.treatment.pigment.batchExpiresOn == Fixture.day("2027-06-30"))
        #expect(performed.treatment.pigment.product == "Scalp Pigment Dark")
    }

    @Test func aRecalledBatchIsRejectedWithTheRecallDateAndReason() throws {
        var world = try booked()
        world.batch.apply(
            .recalled(
                PigmentBatchRecalled(
                    at: Fixture.date("2026-01-10"),
                    reason: "Contaminated with PAH")))
        let rejection = world.rejection(World.performing(1, id: id, at: start), now: start)
        #expect(
            rejection
                == .pigmentBatchRecalled(
                    Fixture.batchNumber, on: Fixture.day("2026-01-10"),
                    reason: "Contaminated with PAH"))
        #expect(rejection?.message == "pigment batch DB-91024110 was recalled on 2026-01-10: Contaminated with PAH")
    }

    @Test func aRecallAfterTheSessionDayDoesNotRejectABackdatedRecord() throws {
        var world = try booked()
        world.batch.apply(.recalled(PigmentBatchRecalled(at: Fixture.date("2026-01-20"), reason: "PAH")))
        #expect(world.rejection(World.performing(1, id: id, at: start), now: Fixture.date("2026-01-21")) == nil)
    }

    @Test func anExpiredBatchIsRejected() throws {
        var world = try booked()
        world.batch = PigmentBatchState.replay(
            id: Fixture.batchNumber,
            [
                .received(
                    PigmentBatchReceived(
                        at: Fixture.date("2024-01-01"), product: "P",
                        batchNumber: Fixture.batchNumber,
                        expiresOn: Fixture.day("2026-01-11"), supplier: "S"))
            ])
        #expect(
            world.rejection(World.performing(1, id: id, at: start), now: start)
                == .pigmentBatchExpired(
                    Fixture.batchNumber, expiredOn: Fixture.day("2026-01-11"),
                    on: Fixture.day("2026-01-12")))
    }

    @Test func aBatchOnItsExpiryDayCanStillBeUsed() throws {
        var world = try booked()
        world.batch = PigmentBatchState.replay(
            id: Fixture.batchNumber,
            [
                .received(
                    PigmentBatchReceived(
                        at: Fixture.date("2024-01-01"), product: "P",
                        batchNumber: Fixture.batchNumber,
                        expiresOn: Fixture.day("2026-01-12"), supplier: "S"))
            ])
        #expect(world.rejection(World.performing(1, id: id, at: start), now: start) == nil)
    }

    @Test func anUnknownBatchIsRejected() throws {
        var world = try booked()
        world.batch = PigmentBatchState(id: Fixture.batchNumber)
        #expect(
            world.rejection(World.performing(1, id: id, at: start), now: start)
                == .unknownPigmentBatch(Fixture.batchNumber))
    }

    @Test func aTechnicianWhoseCertificationLapsedCannotBeBooked() throws {
        var world = try World.readyForSessions()
        world.technicians[Fixture.technicianID]?.apply(
            .certificationRecorded(
                CertificationRecorded(
                    at: Fixture.date("2026-01-01"), body: "ISMPA", certificateNumber: "C-2",
                    issuedOn: Fixture.day("2024-01-11"),
                    expiresOn: Fixture.day("2026-01-11"))))
        #expect(
            world.rejection(World.booking(1, id: id, start: start))
                == .certificationLapsed(
                    Fixture.technicianID, expiredOn: Fixture.day("2026-01-11"),
                    on: Fixture.day("2026-01-12")))
    }

    @Test func aCertificationThatLapsesBeforeTheSessionDayRejectsThePerformance() throws {
        var world = try booked()
        world.technicians[Fixture.technicianID]?.apply(
            .certificationRecorded(
                CertificationRecorded(
                    at: Fixture.date("2026-01-11"), body: "ISMPA", certificateNumber: "C-2",
                    issuedOn: Fixture.day("2024-01-11"),
                    expiresOn: Fixture.day("2026-01-11"))))
        #expect(
            world.rejection(World.performing(1, id: id, at: start), now: start)
                == .certificationLapsed(
                    Fixture.technicianID, expiredOn: Fixture.day("2026-01-11"),
                    on: Fixture.day("2026-01-12")))
    }

    @Test func aDeactivatedTechnicianCannotBeBooked() throws {
        var world = try World.readyForSessions()
        world.technicians[Fixture.technicianID]?.apply(
            .deactivated(
                TechnicianDeactivated(
                    at: Fixture.date("2026-01-04"), reason: "Left")))
        #expect(world.rejection(World.booking(1, id: id, start: start)) == .technicianInactive(Fixture.technicianID))
    }

    @Test func anUnknownTechnicianOrLocationIsRejected() throws {
        var world = try World.readyForSessions()
        #expect(
            world.rejection(World.booking(1, id: id, start: start), technician: nil)
                == .unknownTechnician(Fixture.technicianID))
        world.location = LocationState(id: Fixture.locationID)
        #expect(world.rejection(World.booking(1, id: id, start: start)) == .unknownLocation(Fixture.locationID))
    }
}
