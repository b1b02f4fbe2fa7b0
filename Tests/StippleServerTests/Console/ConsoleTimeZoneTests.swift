import Clinic
import ClinicService
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Projections
import Testing

@testable import StippleServer

@Suite("The console reads days and times in each location's time zone, across the date line")
struct ConsoleTimeZoneTests {
    static let zone = "Pacific/Auckland"

    /// A location in Auckland, a technician, a client; returns the client.
    static func seed(_ fixture: ServerFixture) async throws -> UUID {
        let id = try await ConsoleTests.seedClient(fixture)
        try await fixture.test { client in
            let opened = try await client.execute(
                uri: "/v1/locations", method: .post, headers: fixture.headers(.operator),
                body: Payloads.body(
                    LocationOpened(
                        at: Payloads.past, name: "Ponsonby", city: "Auckland", timeZone: Self.zone, currency: .usd),
                    extra: ["locationID": "AKL"]))
            #expect(opened.status == .created, "\(opened.text)")
        }
        try await fixture.catchUpProjections()
        return id
    }

    /// 10:00 in Auckland on `day`, as an instant.
    static func aucklandTen(_ day: CalendarDay) throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.location(zone)
        return try #require(
            calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 10)))
    }

    @Test(
        "a consultation at 10:00 in Auckland is on Auckland's day on Today (not on the UTC day it falls on) and on the client page at 10:00"
    )
    func auckland() async throws {
        try await ServerFixture.with { fixture in
            let clientID = try await Self.seed(fixture)
            let page = "/console/clients/\(clientID.uuidString.lowercased())"
            // Auckland is 12 or 13 hours ahead of UTC: 10:00 there is the evening before in UTC.
            let day = CalendarDay(Date(), in: TimeZone.location(Self.zone)).adding(days: 3)
            let start = try Self.aucklandTen(day)
            try #require(CalendarDay(start) == day.adding(days: -1), "the booking's UTC day is the day before")
            try await fixture.test { client in
                var browser = ConsoleBrowser(client: client)
                _ = try await browser.signIn(try #require(fixture.keys[.operator]))
                let csrf = try #require(ConsoleBrowser.csrf(try await browser.get(page).text))
                let booked = try await browser.post(
                    page + "/consultations",
                    [
                        "csrf": csrf, "start": "\(day)T10:00", "minutes": "60", "locationID": "AKL",
                        "technicianID": "tech-a",
                    ])
                #expect(booked.status == .seeOther, "\(booked.text)")
                try await fixture.catchUpProjections()
                let stored = try await ScheduleQueries(pool: fixture.database.pool).localDay(day)
                #expect(stored.map(\.startsAt) == [start], "the form read 10:00 in the location's zone")

                let local = try await browser.get("/console/today?day=\(day)")
                #expect(local.text.contains("Sam Client"))
                #expect(local.text.contains("10:00–11:00"))
                #expect(local.text.contains("\(day) · \(Self.zone)"), "the location names its day and zone")
                let utcDay = try await browser.get("/console/today?day=\(day.adding(days: -1))")
                #expect(!utcDay.text.contains("Sam Client"), "not on the UTC day the instant falls on")

                let clientPage = try await browser.get(page).text
                #expect(clientPage.contains("\(day) 10:00 \(Self.zone) · consultation"), "next appointment, local")
                #expect(clientPage.contains("Consultation booked for \(day) 10:00 with tech-a at AKL"))
                #expect(clientPage.contains("Times in \(Self.zone)"))
                #expect(!clientPage.contains("T21:00:00Z") && !clientPage.contains("T22:00:00Z"), "no UTC instants")

                // The search's results read the next appointment in its location's zone too (not in UTC).
                let found = try await browser.get("/console/clients?q=Sam").text
                #expect(found.contains("\(day) 10:00 \(Self.zone) · consultation"), "search result, local")
                #expect(!found.contains("UTC"))
            }
        }
    }

    @Test("a timeline summary's UTC instants are written in the location's zone, with or without their Z")
    func summaries() {
        let text = "Consultation booked for 2026-12-08T21:00:00 with tech-a; moved to 2026-12-09T21:30:00Z"
        #expect(
            ConsoleFormat.localizing(text, zone: Self.zone)
                == "Consultation booked for 2026-12-09 10:00 with tech-a; moved to 2026-12-10 10:30")
        #expect(
            ConsoleFormat.localizing(text, zone: "Nowhere/Special")
                == "Consultation booked for 2026-12-08 21:00 with tech-a; moved to 2026-12-09 21:30")
        #expect(ConsoleFormat.localizing("Payment of USD 12.00", zone: Self.zone) == "Payment of USD 12.00")
    }

    @Test("without a day, each location shows its own today: the same instant is a different date in Auckland")
    func eachLocationsToday() async throws {
        try await ServerFixture.with { fixture in
            let clientID = try await Self.seed(fixture)
            let day = CalendarDay(Date(), in: TimeZone.location(Self.zone)).adding(days: 3)
            let start = try Self.aucklandTen(day)
            try await fixture.test { client in
                let body = Payloads.body(
                    ConsultationBooked(
                        at: Date(), appointmentID: UUID(), slot: TimeSlot(start: start, minutes: 60),
                        locationID: try #require(LocationID("AKL")), technicianID: try #require(TechnicianID("tech-a"))),
                    dropAt: true)
                let answer = try await client.execute(
                    uri: "/v1/clients/\(clientID.uuidString)/consultations", method: .post,
                    headers: fixture.headers(.operator), body: body)
                #expect(answer.status == .created, "\(answer.text)")
            }
            try await fixture.catchUpProjections()
            let queries = ScheduleQueries(pool: fixture.database.pool)
            // 09:00 in Auckland on the day: its today holds the appointment, though it is still the day before in
            // UTC (and in London).
            let morning = start.addingTimeInterval(-3600)
            #expect(try await queries.localDay(nil, now: morning).map(\.location) == ["AKL"])
            #expect(CalendarDay(morning) == day.adding(days: -1))
            // A day earlier in Auckland its today is the day before.
            #expect(try await queries.localDay(nil, now: morning.addingTimeInterval(-86_400)).isEmpty)
        }
    }

    @Test(
        "a location stored with a zone name unknown here (written before names were checked): its times say they are UTC, and the booking form refuses a local time there instead of reading it as UTC"
    )
    func unknownZone() async throws {
        #expect(ConsoleFormat.zoneName(nil) == "UTC")
        #expect(ConsoleFormat.zoneName(Self.zone) == Self.zone)
        #expect(
            ConsoleFormat.zoneName("Mars/Olympus_Mons")
                == "UTC (the location's zone Mars/Olympus_Mons is not known here)")
        try await ServerFixture.with { fixture in
            let clientID = try await ConsoleTests.seedClient(fixture)
            let legacy = try ClinicEvent.location(
                .opened(
                    LocationOpened(
                        at: Payloads.past, name: "Olympus", city: "Mars", timeZone: "Mars/Olympus_Mons", currency: .usd)
                )
            ).encoded()
            try await fixture.database.store.append(
                [NewEvent(type: legacy.type, schemaVersion: legacy.schemaVersion, data: legacy.data)],
                to: try Clinic.StreamName.location(try #require(LocationID("MRS"))).eventStreamName,
                expectedVersion: .any)
            try await fixture.catchUpProjections()
            let head = try await fixture.database.store.headPosition()
            let page = "/console/clients/\(clientID.uuidString.lowercased())"
            try await fixture.test { client in
                var browser = ConsoleBrowser(client: client)
                _ = try await browser.signIn(try #require(fixture.keys[.operator]))
                let csrf = try #require(ConsoleBrowser.csrf(try await browser.get(page).text))
                let refused = try await browser.post(
                    page + "/consultations",
                    [
                        "csrf": csrf, "start": "2026-12-20T10:00", "minutes": "60", "locationID": "MRS",
                        "technicianID": "tech-a",
                    ])
                #expect(refused.status == .unprocessableContent, "\(refused.status)")
                #expect(refused.text.contains("id=\"f-locationID-error\""), "the error is next to the location")
                #expect(refused.text.contains("is not known here, so a local start time cannot be read"))
            }
            #expect(try await fixture.database.store.headPosition() == head, "nothing was booked")
        }
    }
}
