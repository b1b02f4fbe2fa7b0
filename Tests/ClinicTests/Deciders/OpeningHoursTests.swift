import Foundation
import Testing
@testable import Clinic

@Suite("Opening hours, read on the location's own clock")
struct OpeningHoursTests {
    /// Monday to Saturday 09:00–18:00 in New York; closed on Sundays.
    static let weekdays = (1...6).map { OpeningHours(weekday: $0, opensAtMinute: 540, closesAtMinute: 1080) }
    static let monday = OpeningHours(weekday: 1, opensAtMinute: 540, closesAtMinute: 1080)

    func world(hours: [OpeningHours] = Self.weekdays) throws -> World {
        var world = try World.readyForSessions()
        if !hours.isEmpty {
            world.location.apply(.hoursSet(LocationHoursSet(at: Fixture.date("2025-12-01"), hours: hours)))
        }
        return world
    }

    func local(_ day: String, _ minute: Int) -> LocalTime { LocalTime(day: Fixture.day(day), minute: minute) }

    @Test("a session from 09:00 to 12:00 New York time (14:00–17:00 UTC in winter) is booked")
    func insideHoursIsAccepted() throws {
        var world = try world()
        let start = Fixture.date("2026-01-12", hour: 14)
        try world.run(World.booking(1, id: Fixture.uuid(1), start: start))
        #expect(world.client.treatments[Fixture.uuid(1)]?.status == .booked)
    }

    @Test("a session at 09:00 UTC is 04:00 in New York: refused, with the hours and the local time in the message")
    func beforeOpeningIsRefused() throws {
        let world = try world()
        let rejection = world.rejection(World.booking(1, id: Fixture.uuid(1), start: Fixture.date("2026-01-12")))
        #expect(
            rejection
                == .outsideOpeningHours(
                    Fixture.locationID, start: local("2026-01-12", 240), end: local("2026-01-12", 420),
                    timeZone: "America/New_York", hours: Self.monday))
        #expect(
            rejection?.message
                == "location nyc is open Monday 09:00–18:00 (America/New_York); the slot runs 2026-01-12 04:00–07:00 "
                + "there")
    }

    @Test("a session that would run past closing, or falls on a closed Sunday, is refused")
    func pastClosingAndClosedDaysAreRefused() throws {
        let world = try world()
        let late = Fixture.date("2026-01-12", hour: 21)  // 16:00–19:00 local
        #expect(
            world.rejection(World.booking(1, id: Fixture.uuid(1), start: late))
                == .outsideOpeningHours(
                    Fixture.locationID, start: local("2026-01-12", 960), end: local("2026-01-12", 1140),
                    timeZone: "America/New_York", hours: Self.monday))
        let sunday = Fixture.date("2026-01-18", hour: 15)
        let rejection = world.rejection(World.booking(1, id: Fixture.uuid(1), start: sunday))
        #expect(
            rejection?.message == "location nyc is closed on Sundays (America/New_York); the slot starts "
                + "2026-01-18 10:00 there")
        #expect(world.client.treatments.isEmpty)
    }

    @Test("daylight saving time moves the hours in UTC: 13:00 UTC is 09:00 in July but 08:00 in January")
    func theLocationsZoneIncludingDaylightSavingTimeDecides() throws {
        let world = try world()
        let summer = Fixture.date("2026-07-13", hour: 13)
        let winter = Fixture.date("2026-01-12", hour: 13)
        #expect(
            world.rejection(World.booking(1, id: Fixture.uuid(1), start: summer, at: Fixture.date("2026-01-05")))
                == nil)
        #expect(
            world.rejection(World.booking(1, id: Fixture.uuid(1), start: winter))
                == .outsideOpeningHours(
                    Fixture.locationID, start: local("2026-01-12", 480), end: local("2026-01-12", 660),
                    timeZone: "America/New_York", hours: Self.monday))
    }

    @Test("consultations and touch-ups are held to the same hours")
    func consultationsAreChecked() throws {
        let world = try world()
        let booking = ConsultationBooked(
            at: Fixture.date("2026-01-05"), appointmentID: Fixture.uuid(0xC1),
            slot: TimeSlot(start: Fixture.date("2026-01-13", hour: 23), minutes: 60),  // 18:00–19:00 local
            locationID: Fixture.locationID, technicianID: Fixture.technicianID)
        guard case .outsideOpeningHours = world.rejection(.bookConsultation(booking)) else {
            Issue.record("an evening consultation was not refused")
            return
        }
        var inside = booking
        inside.slot = TimeSlot(start: Fixture.date("2026-01-13", hour: 22), minutes: 60)  // 17:00–18:00 local
        #expect(world.rejection(.bookConsultation(inside)) == nil)
    }

    @Test("a location that never recorded hours is not checked")
    func unknownHoursAreNotChecked() throws {
        let world = try world(hours: [])
        #expect(world.rejection(World.booking(1, id: Fixture.uuid(1), start: Fixture.date("2026-01-12"))) == nil)
    }

    @Test("a location cannot be opened in a time zone that does not exist")
    func unknownTimeZoneIsRefused() {
        let now = Fixture.date("2026-01-05")
        let open = { (zone: String) in
            LocationCommand.open(LocationOpened(at: now, name: "N", city: "C", timeZone: zone, currency: .usd))
        }
        let location = LocationState(id: Fixture.locationID)
        #expect(throws: Rejection.self) {
            try LocationDecider.decide(open("Mars/Olympus_Mons"), location: location, now: now)
        }
        #expect((try? LocationDecider.decide(open("Europe/London"), location: location, now: now)) != nil)
    }

    @Test("local times convert both ways across a daylight saving change")
    func localTimeRoundTrips() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        for text in ["2026-03-07", "2026-03-08", "2026-03-09", "2026-11-01", "2026-11-02"] {
            let time = local(text, 600)
            #expect(LocalTime(time.date(in: zone), in: zone) == time)
        }
        #expect(LocalTime(Fixture.date("2026-01-01"), in: zone) == local("2026-01-01", 240))
        #expect(Fixture.day("2026-01-12").isoWeekday == 1 && Fixture.day("2026-01-18").isoWeekday == 7)
    }
}
