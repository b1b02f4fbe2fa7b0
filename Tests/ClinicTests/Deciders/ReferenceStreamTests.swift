import Foundation
import Testing
@testable import Clinic

@Suite("Technician, pigment batch and location streams")
struct ReferenceStreamTests {
    let now = Fixture.date("2026-01-05")

    @Test func aTechnicianIsRegisteredOnceThenCertifiedThenDeactivatedOnce() throws {
        var technician = TechnicianState(id: Fixture.technicianID)
        let register = TechnicianCommand.register(TechnicianRegistered(at: now, displayName: "Alex"))
        for pending in try TechnicianDecider.decide(register, technician: technician, now: now).events {
            if case .technician(let event) = pending.event { technician.apply(event) }
        }
        #expect(throws: Rejection.technicianAlreadyRegistered(Fixture.technicianID)) {
            try TechnicianDecider.decide(register, technician: technician, now: now)
        }
        let backwards = TechnicianCommand.recordCertification(
            CertificationRecorded(
                at: now, body: "ISMPA", certificateNumber: "1", issuedOn: Fixture.day("2026-01-01"),
                expiresOn: Fixture.day("2025-01-01")))
        #expect(throws: Rejection.self) { try TechnicianDecider.decide(backwards, technician: technician, now: now) }
        technician.apply(.deactivated(TechnicianDeactivated(at: now, reason: "Left")))
        #expect(throws: Rejection.technicianInactive(Fixture.technicianID)) {
            try TechnicianDecider.decide(
                .deactivate(TechnicianDeactivated(at: now, reason: "Again")),
                technician: technician, now: now)
        }
    }

    @Test func aBatchIsReceivedUnderItsOwnNumberAndRecalledOnce() throws {
        var batch = PigmentBatchState(id: Fixture.batchNumber)
        let wrongNumber = PigmentBatchCommand.receive(
            PigmentBatchReceived(
                at: now, product: "P", batchNumber: Fixture.must(PigmentBatchNumber("OTHER-1")),
                expiresOn: Fixture.day("2027-01-01"), supplier: "S"))
        #expect(throws: Rejection.self) { try PigmentBatchDecider.decide(wrongNumber, batch: batch, now: now) }
        let recall = PigmentBatchCommand.recall(PigmentBatchRecalled(at: now, reason: "Contaminated with PAH"))
        #expect(throws: Rejection.unknownPigmentBatch(Fixture.batchNumber)) {
            try PigmentBatchDecider.decide(recall, batch: batch, now: now)
        }
        batch.apply(
            .received(
                PigmentBatchReceived(
                    at: now, product: "P", batchNumber: Fixture.batchNumber,
                    expiresOn: Fixture.day("2027-01-01"), supplier: "S")))
        let decision = try PigmentBatchDecider.decide(recall, batch: batch, now: now)
        #expect(decision.streams.map(\.rawValue) == ["pigment-DB-91024110"])
        batch.apply(.recalled(PigmentBatchRecalled(at: now, reason: "Contaminated with PAH")))
        #expect(
            throws: Rejection.pigmentBatchRecalled(
                Fixture.batchNumber, on: Fixture.day("2026-01-05"),
                reason: "Contaminated with PAH")
        ) {
            try PigmentBatchDecider.decide(recall, batch: batch, now: now)
        }
    }

    @Test func aLocationIsOpenedOnceAndItsHoursMustBeSensible() throws {
        var location = LocationState(id: Fixture.locationID)
        let hours = LocationCommand.setHours(
            LocationHoursSet(
                at: now,
                hours: [
                    OpeningHours(weekday: 1, opensAtMinute: 540, closesAtMinute: 1080)
                ]))
        #expect(throws: Rejection.unknownLocation(Fixture.locationID)) {
            try LocationDecider.decide(hours, location: location, now: now)
        }
        location.apply(
            .opened(
                LocationOpened(
                    at: now, name: "NYC", city: "New York", timeZone: "America/New_York",
                    currency: .usd)))
        #expect(try LocationDecider.decide(hours, location: location, now: now).events.count == 1)
        let inverted = LocationCommand.setHours(
            LocationHoursSet(
                at: now,
                hours: [
                    OpeningHours(weekday: 8, opensAtMinute: 1080, closesAtMinute: 540)
                ]))
        #expect(throws: Rejection.self) { try LocationDecider.decide(inverted, location: location, now: now) }
        let reopen = LocationCommand.open(
            LocationOpened(
                at: now, name: "NYC", city: "New York",
                timeZone: "America/New_York", currency: .usd))
        #expect(throws: Rejection.locationAlreadyOpened(Fixture.locationID)) {
            try LocationDecider.decide(reopen, location: location, now: now)
        }
    }

    @Test func referenceCommandsDatedInTheFutureAreRejected() {
        let later = now.addingTimeInterval(60)
        #expect(throws: Rejection.inTheFuture(at: later, now: now)) {
            try LocationDecider.decide(
                .open(
                    LocationOpened(
                        at: later, name: "N", city: "C", timeZone: "UTC",
                        currency: .usd)),
                location: LocationState(id: Fixture.locationID), now: now)
        }
    }
}
