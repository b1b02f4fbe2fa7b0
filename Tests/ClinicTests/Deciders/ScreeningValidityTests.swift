import Foundation
import Testing
@testable import Clinic

@Suite("A medical screening is valid for the clinic's validity period before a touch-up")
struct ScreeningValidityTests {
    /// The screening of `World.readyForSessions()` is recorded on 2026-01-02; the course ends in February 2026.
    func completed() throws -> World {
        var world = try World.readyForSessions()
        try world.completeCourse(sessions: 3)
        return world
    }

    func touchUp(on day: String, id: AppointmentID = Fixture.uuid(0x70)) -> ClientCommand {
        let start = Fixture.date(day, hour: 14)
        return .bookTouchUp(
            TouchUpBooked(
                at: start.addingTimeInterval(-86_400), appointmentID: id,
                slot: TimeSlot(start: start, minutes: 120), locationID: Fixture.locationID,
                technicianID: Fixture.technicianID, quotedPrice: Fixture.usd(800)))
    }

    @Test("a touch-up exactly twelve months after the screening is booked")
    func onTheLastValidDayIsAccepted() throws {
        let world = try completed()
        #expect(world.rejection(touchUp(on: "2027-01-02"), now: Fixture.date("2027-01-01", hour: 14)) == nil)
    }

    @Test("a touch-up a day later is refused until a new screening is recorded")
    func afterTheValidityIsRefusedThenRenewed() throws {
        var world = try completed()
        let now = Fixture.date("2027-01-02", hour: 14)
        let rejection = world.rejection(touchUp(on: "2027-01-03"), now: now)
        #expect(
            rejection
                == .screeningExpired(
                    recordedOn: Fixture.day("2026-01-02"), validUntil: Fixture.day("2027-01-02"),
                    on: Fixture.day("2027-01-03"), months: 12))
        #expect(
            rejection?.message
                == "the medical screening of 2026-01-02 was valid for 12 months, until 2027-01-02; record a new "
                + "screening before treating on 2027-01-03")
        try world.run(.recordScreening(World.screening(at: now)), now: now)
        #expect(world.rejection(touchUp(on: "2027-01-03"), now: now) == nil)
    }

    @Test("a touch-up booked while the screening was valid is refused on the day if the validity was shortened")
    func performingChecksAgain() throws {
        var world = try completed()
        let start = Fixture.date("2026-11-02", hour: 14)
        try world.run(touchUp(on: "2026-11-02"), now: Fixture.date("2026-11-01", hour: 14))
        world.settings.screeningValidityMonths = 6
        let performed = ClientCommand.performTouchUp(
            TouchUpPerformed(
                at: start, appointmentID: Fixture.uuid(0x70), locationID: Fixture.locationID,
                technicianID: Fixture.technicianID, treatment: Fixture.treatment()))
        #expect(
            world.rejection(performed, now: start)
                == .screeningExpired(
                    recordedOn: Fixture.day("2026-01-02"), validUntil: Fixture.day("2026-07-02"),
                    on: Fixture.day("2026-11-02"), months: 6))
        world.settings.screeningValidityMonths = 12
        #expect(world.rejection(performed, now: start) == nil)
    }

    @Test("months are added on the calendar, the day clamped to the month's end")
    func addingMonths() {
        #expect(Fixture.day("2024-02-29").adding(months: 12) == Fixture.day("2025-02-28"))
        #expect(Fixture.day("2026-01-31").adding(months: 1) == Fixture.day("2026-02-28"))
        #expect(Fixture.day("2026-11-15").adding(months: 2) == Fixture.day("2027-01-15"))
        #expect(Fixture.day("2026-01-15").adding(months: -1) == Fixture.day("2025-12-15"))
    }
}
