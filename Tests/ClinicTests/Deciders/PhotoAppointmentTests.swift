import Foundation
import Testing
@testable import Clinic

@Suite("Photos linked to an appointment")
struct PhotoAppointmentTests {
    let session = Fixture.uuid(0x5E01)
    let start = Fixture.date("2026-01-12")

    func photo(_ number: Int, at: Date, appointment: AppointmentID?, stage: PhotoStage = .before) -> ClientCommand {
        .logPhoto(
            PhotoLogged(
                at: at, photoID: Fixture.uuid(0xF00 + number), contentHash: Fixture.hash, sizeBytes: 2_000_000,
                mediaType: "image/jpeg", stage: stage, angle: .top, consentScope: .clinicalPhotos,
                measuredDensity: nil, appointmentID: appointment))
    }

    func booked() throws -> World {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: session, start: start), now: Fixture.date("2026-01-05"))
        return world
    }

    @Test("a before photo at a session that has started, or at a held consultation, is accepted")
    func photosAtAppointmentsThatTookPlace() throws {
        var world = try booked()
        try world.run(photo(1, at: start, appointment: session), now: start)
        try world.run(photo(2, at: start, appointment: World.consultationID), now: start)
        try world.run(World.performing(1, id: session, at: start), now: start)
        let later = start.addingTimeInterval(7 * 86_400)
        try world.run(photo(3, at: later, appointment: session, stage: .healingDay(7)), now: later)
        #expect(world.client.photos.count == 3)
    }

    @Test("a photo at a cancelled or missed session, or before it starts, is refused")
    func photosAtAppointmentsThatDidNotTakePlace() throws {
        var world = try booked()
        let early = start.addingTimeInterval(-3600)
        #expect(
            world.rejection(photo(1, at: early, appointment: session), now: early)
                == .appointmentDidNotTakePlace(session, status: .booked, start: start))
        try world.run(
            .cancelSession(SessionCancelled(at: early, appointmentID: session, cancelledBy: .clinic, reason: "Recall")),
            now: early)
        #expect(
            world.rejection(photo(1, at: start, appointment: session), now: start)
                == .appointmentDidNotTakePlace(session, status: .cancelled, start: start))
        let unknown = Fixture.uuid(0xBAD)
        #expect(world.rejection(photo(1, at: start, appointment: unknown), now: start) == .unknownAppointment(unknown))
        #expect(world.client.photos.isEmpty)
    }
}
