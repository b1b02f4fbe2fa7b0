import Foundation
import Testing
@testable import Clinic

@Suite("Corrections and removals: booked like sessions, under consent, priced, linked to their cause")
struct CorrectionBookingTests {
    static let reactionID = Fixture.uuid(0xEAC7)
    static let complaintID = Fixture.uuid(0xC0A1)
    static let correctionID = Fixture.uuid(0xC022)
    /// Monday 2 March 2026, 14:00 UTC.
    static let start = Fixture.date("2026-03-02", hour: 14)
    static let bookedAt = Fixture.date("2026-02-20")

    /// A completed course (sessions 12 and 26 January, 9 February 2026) and a reaction reported on 20 February.
    func world() throws -> World {
        var world = try World.readyForSessions()
        try world.completeCourse(sessions: 3)
        let reported = Self.bookedAt
        try world.run(
            .reportAdverseReaction(
                AdverseReactionReported(
                    at: reported, kind: .pigmentMigration, severity: .mild, appointmentID: Fixture.uuid(0x5E02),
                    reactionID: Self.reactionID)),
            now: reported)
        return world
    }

    func booking(
        _ method: CorrectionMethod = .pigmentCorrection,
        cause: CorrectionCause = CorrectionCause(kind: .adverseReaction, id: reactionID),
        price: Money = Fixture.usd(400)
    ) -> ClientCommand {
        .bookCorrection(
            CorrectionBooked(
                at: Self.bookedAt, appointmentID: Self.correctionID, method: method, sessionNumber: 1,
                slot: TimeSlot(start: Self.start, minutes: 90), locationID: Fixture.locationID,
                technicianID: Fixture.technicianID, quotedPrice: price, cause: cause))
    }

    func performing(_ method: CorrectionMethod = .pigmentCorrection, at: Date = start) -> ClientCommand {
        .performCorrection(
            CorrectionPerformed(
                at: at, method: method, sessionNumber: 1, areas: [.temples], provider: "Stipple NYC",
                technicianID: Fixture.technicianID, appointmentID: Self.correctionID))
    }

    @Test("a pigment correction answering a reaction reserves the technician's slot and is then performed")
    func bookedAndPerformed() throws {
        var world = try world()
        let decision = try world.run(booking(), now: Self.bookedAt)
        #expect(decision.streams == [.client(Fixture.clientID), .technician(Fixture.technicianID)])
        guard case .technician(.slotReserved(let reserved)) = decision.events[1].event else {
            Issue.record("no slot reserved")
            return
        }
        #expect(reserved.kind == .correction && reserved.slot == TimeSlot(start: Self.start, minutes: 90))
        let performed = try world.run(performing(), now: Self.start)
        guard case .client(.correctionPerformed(let recorded)) = performed.events.first?.event else {
            Issue.record("no correction performed")
            return
        }
        #expect(recorded.locationID == Fixture.locationID)
        #expect(world.client.treatments[Self.correctionID]?.status == .completed)
        #expect(world.client.pigmentRemovedAt == nil)
    }

    @Test("a laser removal with no treatment consent in force is refused, at booking and on the day")
    func removalNeedsConsent() throws {
        var world = try world()
        let withdrawn = Fixture.date("2026-02-25")
        var withoutConsent = world
        try withoutConsent.run(
            .withdrawConsent(ConsentWithdrawn(at: withdrawn, formVersion: "2023-06", scopes: [.treatment])),
            now: withdrawn)
        let removal = booking(.laserRemoval, cause: CorrectionCause(kind: .clientRequest))
        #expect(
            withoutConsent.rejection(removal, now: withdrawn) == .consentMissing(.treatment, at: Self.start))
        // Booked while consent was in force, withdrawn before the day: refused when performed.
        try world.run(removal, now: Self.bookedAt)
        try world.run(
            .withdrawConsent(ConsentWithdrawn(at: withdrawn, formVersion: "2023-06", scopes: [.treatment])),
            now: withdrawn)
        #expect(
            world.rejection(performing(.laserRemoval), now: Self.start) == .consentMissing(.treatment, at: Self.start))
        #expect(world.client.pigmentRemovedAt == nil)
    }

    @Test("the cause must be a reaction or complaint on the client's stream; a client request names none")
    func causes() throws {
        var world = try world()
        let unknown = CorrectionCause(kind: .complaint, id: Self.complaintID)
        #expect(world.rejection(booking(cause: unknown), now: Self.bookedAt) == .unknownCorrectionCause(unknown))
        let stray = CorrectionCause(kind: .clientRequest, id: Self.reactionID)
        #expect(
            world.rejection(booking(cause: stray), now: Self.bookedAt)
                == .invalidValue(field: "cause.id", reason: "a client request refers to no reaction or complaint"))
        try world.run(
            .recordComplaint(
                ComplaintRecorded(at: Self.bookedAt, complaintID: Self.complaintID, topic: .colour)),
            now: Self.bookedAt)
        #expect(world.rejection(booking(cause: unknown), now: Self.bookedAt) == nil)
    }

    @Test("a correction is priced, inside opening hours and after the healing interval")
    func pricedAndScheduled() throws {
        var world = try world()
        #expect(
            world.rejection(booking(price: Fixture.usd(0)), now: Self.bookedAt) == .nonPositiveAmount(Fixture.usd(0)))
        world.location.apply(
            .hoursSet(
                LocationHoursSet(
                    at: Fixture.date("2025-12-01"),
                    hours: (1...6).map { OpeningHours(weekday: $0, opensAtMinute: 540, closesAtMinute: 1080) })))
        #expect(world.rejection(booking(), now: Self.bookedAt) == nil)  // 09:00–10:30 in New York
        var early = booking()
        if case .bookCorrection(var payload) = early {
            payload.at = Fixture.date("2026-02-11")
            payload.slot = TimeSlot(start: Fixture.date("2026-02-12", hour: 14), minutes: 90)
            early = .bookCorrection(payload)
        }
        guard case .healingIntervalNotElapsed = world.rejection(early, now: Fixture.date("2026-02-11"))
        else {
            Issue.record("a correction three days after a session was not refused")
            return
        }
    }

    @Test("an in-house correction is booked first; a partner clinic's is recorded without one")
    func inHouseNeedsABooking() throws {
        let world = try world()
        let unbooked = ClientCommand.performCorrection(
            CorrectionPerformed(
                at: Self.start, method: .salineRemoval, sessionNumber: 1, areas: [.temples], provider: "Stipple NYC",
                technicianID: Fixture.technicianID))
        #expect(
            world.rejection(unbooked, now: Self.start)
                == .invalidValue(
                    field: "appointmentID",
                    reason: "a correction by one of the clinic's technicians is booked first; give its appointment"))
        let partner = ClientCommand.performCorrection(
            CorrectionPerformed(
                at: Self.start, method: .laserRemoval, sessionNumber: 1, areas: [.temples],
                provider: "Partner laser clinic"))
        #expect(world.rejection(partner, now: Self.start) == nil)
    }

    @Test("performing checks the booking's method; a cancelled correction releases its slot")
    func methodAndCancellation() throws {
        var world = try world()
        try world.run(booking(), now: Self.bookedAt)
        #expect(
            world.rejection(performing(.laserRemoval), now: Self.start)
                == .invalidValue(field: "method", reason: "appointment is for a pigment-correction"))
        let cancelled = try world.run(
            .cancelSession(
                SessionCancelled(at: Self.bookedAt, appointmentID: Self.correctionID, cancelledBy: .client)),
            now: Self.bookedAt)
        #expect(cancelled.streams.contains(.technician(Fixture.technicianID)))
        #expect(
            world.technicians[Fixture.technicianID]?.conflictingReservation(
                with: TimeSlot(start: Self.start, minutes: 90)) == nil)
    }
}
