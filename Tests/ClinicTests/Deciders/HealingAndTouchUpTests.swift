import Foundation
import Testing
@testable import Clinic

@Suite("Healing interval and touch-ups")
struct HealingAndTouchUpTests {
    let first = Fixture.date("2026-01-12")

    @Test func theNextSessionMayStartExactlyOneHealingIntervalLater() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: Fixture.uuid(1), start: first), now: first)
        try world.run(World.performing(1, id: Fixture.uuid(1), at: first), now: first)
        let next = first.addingTimeInterval(10 * 86_400)
        #expect(world.rejection(World.booking(2, id: Fixture.uuid(2), start: next, at: first), now: first) == nil)
    }

    @Test func theNextSessionSoonerThanTheHealingIntervalIsRejected() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: Fixture.uuid(1), start: first), now: first)
        try world.run(World.performing(1, id: Fixture.uuid(1), at: first), now: first)
        let tooSoon = first.addingTimeInterval(9 * 86_400)
        #expect(
            world.rejection(World.booking(2, id: Fixture.uuid(2), start: tooSoon, at: first), now: first)
                == .healingIntervalNotElapsed(last: first, earliest: first.addingTimeInterval(10 * 86_400)))
    }

    @Test func theHealingIntervalIsConfigurable() throws {
        var world = try World.readyForSessions()
        world.settings.healingIntervalDays = 21
        try world.run(World.booking(1, id: Fixture.uuid(1), start: first), now: first)
        let fifteenDays = first.addingTimeInterval(15 * 86_400)
        #expect(
            world.rejection(World.booking(2, id: Fixture.uuid(2), start: fifteenDays, at: first), now: first)
                == .healingIntervalNotElapsed(last: first, earliest: first.addingTimeInterval(21 * 86_400)))
    }

    @Test func theIntervalAlsoCountsFromABookedSessionNotYetPerformed() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: Fixture.uuid(1), start: first))
        let tooSoon = first.addingTimeInterval(5 * 86_400)
        #expect(
            world.rejection(World.booking(2, id: Fixture.uuid(2), start: tooSoon))
                == .healingIntervalNotElapsed(last: first, earliest: first.addingTimeInterval(10 * 86_400)))
    }

    func touchUp(at start: Date) -> ClientCommand {
        .bookTouchUp(
            TouchUpBooked(
                at: start.addingTimeInterval(-86_400), appointmentID: Fixture.uuid(0x70),
                slot: TimeSlot(start: start, minutes: 120), locationID: Fixture.locationID,
                technicianID: Fixture.technicianID, quotedPrice: Fixture.usd(800)))
    }

    @Test func aTouchUpBeforeTheCourseIsCompleteIsRejected() throws {
        var world = try World.readyForSessions()
        try world.completeCourse(sessions: 2)
        let later = Fixture.date("2026-06-01")
        #expect(world.rejection(touchUp(at: later), now: later) == .courseNotComplete(performed: 2, planned: 3))
        #expect(
            world.rejection(.recommendTouchUp(TouchUpRecommended(at: later, reason: "Fading")), now: later)
                == .courseNotComplete(performed: 2, planned: 3))
    }

    @Test func aTouchUpAfterTheCourseIsAcceptedAndPerformed() throws {
        var world = try World.readyForSessions()
        try world.completeCourse(sessions: 3)
        let later = Fixture.date("2026-06-01")
        try world.run(.recommendTouchUp(TouchUpRecommended(at: later, reason: "Fading")), now: later)
        try world.run(touchUp(at: later.addingTimeInterval(86_400)), now: later)
        try world.run(
            .performTouchUp(
                TouchUpPerformed(
                    at: later.addingTimeInterval(86_400), appointmentID: Fixture.uuid(0x70),
                    locationID: Fixture.locationID,
                    technicianID: Fixture.technicianID, treatment: Fixture.treatment())),
            now: later.addingTimeInterval(86_400))
        #expect(world.client.touchUpsPerformed == 1)
        #expect(!world.client.touchUpRecommended)
    }

    @Test("after a laser or saline removal no touch-up is recommended or booked; after a pigment correction it is")
    func removalEndsTouchUps() throws {
        var world = try World.readyForSessions()
        try world.completeCourse(sessions: 3)
        let later = Fixture.date("2026-06-01")
        let correction = CorrectionPerformed(
            at: Fixture.date("2026-05-01"), method: .pigmentCorrection, sessionNumber: 1, areas: [.temples],
            provider: "Stipple NYC")
        try world.run(.performCorrection(correction), now: Fixture.date("2026-05-01"))
        #expect(world.rejection(touchUp(at: later), now: later) == nil)
        let removal = CorrectionPerformed(
            at: Fixture.date("2026-05-02"), method: .laserRemoval, sessionNumber: 1, areas: [.frontalHairline],
            provider: "Partner laser clinic")
        try world.run(.performCorrection(removal), now: Fixture.date("2026-05-02"))
        #expect(world.client.pigmentRemovedAt == Fixture.date("2026-05-02"))
        #expect(world.rejection(touchUp(at: later), now: later) == .pigmentRemoved(on: Fixture.date("2026-05-02")))
        #expect(
            world.rejection(.recommendTouchUp(TouchUpRecommended(at: later, reason: "Fading")), now: later)
                == .pigmentRemoved(on: Fixture.date("2026-05-02")))
    }
}
