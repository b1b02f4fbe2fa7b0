import Foundation
import Testing
@testable import Clinic

@Suite("Care instruction sets: published, revised, given for an appointment, acknowledged")
struct CareInstructionTests {
    static let published = Fixture.date("2025-12-01")
    static let items = [
        CareItem(kind: .preCare, topic: .haircut, text: "Close haircut or shave the day before", fromDay: -1),
        CareItem(kind: .aftercare, topic: .washing, text: "Do not wash the scalp for 3 days", days: 3),
        CareItem(kind: .aftercare, topic: .sweating, text: "No gym for 5 days", days: 5),
    ]
    let session = Fixture.uuid(0x5E01)
    let start = Fixture.date("2026-01-12")

    static func decide(_ command: CareCommand, _ set: InstructionSetState, now: Date = published) -> Rejection? {
        do {
            _ = try CareDecider.decide(command, set: set, now: now)
            return nil
        } catch {
            return error
        }
    }

    static func fold(_ command: CareCommand, into set: inout InstructionSetState, now: Date) throws {
        for pending in try CareDecider.decide(command, set: set, now: now).events {
            if case .care(let event) = pending.event { set.apply(event) }
        }
    }

    static func publishedSet(items: [CareItem] = items) throws -> InstructionSetState {
        var set = InstructionSetState(id: Fixture.instructionSetID)
        try fold(
            .publish(InstructionSetPublished(at: published, name: "SMP standard care", items: items)), into: &set,
            now: published)
        return set
    }

    /// A client whose session 1 is booked for 2026-01-12 09:00 and, with `performed`, performed then.
    func world(performed: Bool = true, items: [CareItem] = CareInstructionTests.items) throws -> World {
        var world = try World.readyForSessions()
        world.instructionSet = try Self.publishedSet(items: items)
        try world.run(World.booking(1, id: session, start: start))
        if performed { try world.run(World.performing(1, id: session, at: start), now: start) }
        return world
    }

    func giving(
        _ kind: InstructionKind = .aftercare, version: Int? = 1, appointment: AppointmentID? = nil, at: Date? = nil
    ) -> ClientCommand {
        .giveInstructions(
            InstructionsGiven(
                at: at ?? start.addingTimeInterval(3 * 3600), kind: kind, instructionSetID: Fixture.instructionSetID,
                instructionSetVersion: version, appointmentID: appointment ?? session, channel: .printed))
    }

    // MARK: The set

    @Test("a set is published once, with items whose wording and days make sense")
    func publishing() throws {
        let set = try Self.publishedSet()
        #expect(set.latest?.number == 1 && set.latest?.items == Self.items)
        let again = CareCommand.publish(InstructionSetPublished(at: Self.published, name: "Again", items: Self.items))
        #expect(Self.decide(again, set) == .instructionSetAlreadyPublished(Fixture.instructionSetID))
        let fresh = InstructionSetState(id: Fixture.instructionSetID)
        let blank = CareCommand.publish(
            InstructionSetPublished(
                at: Self.published, name: "Care",
                items: [Self.items[0], CareItem(kind: .aftercare, topic: .sun, text: "  ")]))
        #expect(Self.decide(blank, fresh) == .invalidValue(field: "items[1]", reason: "text must not be blank"))
        let noDays = CareCommand.publish(
            InstructionSetPublished(
                at: Self.published, name: "Care", items: [CareItem(kind: .aftercare, topic: .sun, text: "Hat", days: 0)]
            ))
        #expect(Self.decide(noDays, fresh) == .invalidValue(field: "items[0]", reason: "days must be 1–365, not 0"))
        let empty = CareCommand.publish(InstructionSetPublished(at: Self.published, name: "Care", items: []))
        #expect(Self.decide(empty, fresh) == .invalidValue(field: "items", reason: "must list at least one item"))
    }

    @Test("a revision is the next version, changes something, and is in force from its time")
    func revising() throws {
        var set = try Self.publishedSet()
        let later = Fixture.date("2026-02-01")
        var longer = Self.items
        longer[2].days = 7
        let skipping = CareCommand.revise(InstructionSetRevised(at: later, version: 3, items: longer, reason: "Gym"))
        #expect(
            Self.decide(skipping, set, now: later) == .invalidValue(field: "version", reason: "the next version is 2"))
        let same = CareCommand.revise(InstructionSetRevised(at: later, version: 2, items: Self.items, reason: "Gym"))
        #expect(
            Self.decide(same, set, now: later)
                == .invalidValue(field: "items", reason: "they are the items of version 1"))
        try Self.fold(
            .revise(InstructionSetRevised(at: later, version: 2, items: longer, reason: "Gym")), into: &set, now: later)
        #expect(set.version(inForceAt: later.addingTimeInterval(-1))?.number == 1)
        #expect(set.version(inForceAt: later)?.number == 2)
        #expect(set.version(2)?.items[2].days == 7)
    }

    // MARK: Giving and acknowledging

    @Test("aftercare from the set in force, for the session just performed, is recorded against it")
    func aftercareForAPerformedSession() throws {
        var world = try world()
        try world.run(giving(), now: start.addingTimeInterval(3 * 3600))
        let given = try #require(world.client.instructions[session]?[.aftercare])
        #expect(given.instructionSetID == Fixture.instructionSetID && given.version == 1 && given.acknowledgedAt == nil)
    }

    @Test("aftercare naming an unpublished set, a superseded version or a set without aftercare is refused")
    func aftercareFromTheWrongSetOrVersion() throws {
        var world = try world()
        let now = start.addingTimeInterval(3 * 3600)
        world.instructionSet = InstructionSetState(id: Fixture.instructionSetID)
        #expect(world.rejection(giving(), now: now) == .unknownInstructionSet(Fixture.instructionSetID))
        world.instructionSet = try Self.publishedSet()
        var longer = Self.items
        longer[2].days = 7
        try Self.fold(
            .revise(InstructionSetRevised(at: start, version: 2, items: longer, reason: "Gym")),
            into: &world.instructionSet, now: start)
        #expect(
            world.rejection(giving(version: 1), now: now)
                == .instructionVersionNotInForce(Fixture.instructionSetID, version: 1, inForce: 2, at: now))
        #expect(world.rejection(giving(version: 2), now: now) == nil)
        world.instructionSet = try Self.publishedSet(items: [Self.items[0]])
        #expect(
            world.rejection(giving(), now: now)
                == .noInstructionsOfKind(Fixture.instructionSetID, version: 1, kind: .aftercare))
    }

    @Test("aftercare before the session starts, for a consultation, or with no appointment is refused")
    func aftercareForTheWrongAppointment() throws {
        let world = try world(performed: false)
        let early = start.addingTimeInterval(-3600)
        #expect(
            world.rejection(giving(at: early), now: early)
                == .appointmentDidNotTakePlace(session, status: .booked, start: start))
        let now = start.addingTimeInterval(3 * 3600)
        #expect(
            world.rejection(giving(appointment: World.consultationID), now: now)
                == .invalidValue(
                    field: "appointmentID", reason: "aftercare follows a session or touch-up, not a consultation"))
        let unlinked = ClientCommand.giveInstructions(
            InstructionsGiven(
                at: now, kind: .aftercare, instructionSetID: Fixture.instructionSetID, instructionSetVersion: 1,
                appointmentID: nil, channel: .email))
        #expect(world.rejection(unlinked, now: now) == .invalidValue(field: "appointmentID", reason: "is required"))
        let legacy = ClientCommand.giveInstructions(
            InstructionsGiven(
                at: now, kind: .aftercare, instructionSetID: Fixture.instructionSetID, instructionSetVersion: 1,
                appointmentID: session, channel: .email, legacyLabel: "SMP aftercare v5"))
        #expect(
            world.rejection(legacy, now: now)
                == .invalidValue(
                    field: "legacyLabel", reason: "is only read from history written before instruction sets"))
    }

    @Test("pre-care goes with a session still booked, never with a cancelled one")
    func preCare() throws {
        var world = try world(performed: false)
        let now = Fixture.date("2026-01-06")
        #expect(world.rejection(giving(.preCare, at: now), now: now) == nil)
        try world.run(
            .cancelSession(SessionCancelled(at: now, appointmentID: session, cancelledBy: .client)), now: now)
        #expect(
            world.rejection(giving(.preCare, at: now), now: now) == .appointmentNotBooked(session, status: .cancelled))
    }

    @Test("an acknowledgement follows instructions given, and is recorded once")
    func acknowledgement() throws {
        var world = try world()
        let now = start.addingTimeInterval(3 * 3600)
        let acknowledging = ClientCommand.acknowledgeInstructions(
            InstructionsAcknowledged(at: now, appointmentID: session, kind: .aftercare, method: .signature))
        #expect(world.rejection(acknowledging, now: now) == .instructionsNotGiven(session, kind: .aftercare))
        try world.run(giving(), now: now)
        try world.run(acknowledging, now: now)
        #expect(world.client.instructions[session]?[.aftercare]?.acknowledgedAt == now)
        #expect(
            world.rejection(acknowledging, now: now)
                == .instructionsAlreadyAcknowledged(session, kind: .aftercare, on: now))
    }
}
