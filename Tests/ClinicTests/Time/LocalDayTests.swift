import Clinic
import Foundation
import Testing

@Suite("A location's local calendar day, across the date line")
struct LocalDayTests {
    static func instant(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    @Test("in Auckland (UTC+13 in December) an instant late in the UTC day is already the next day")
    func auckland() throws {
        let zone = TimeZone.location("Pacific/Auckland")
        #expect(CalendarDay(try Self.instant("2026-12-06T10:59:00Z"), in: zone).description == "2026-12-06")
        #expect(CalendarDay(try Self.instant("2026-12-06T11:00:00Z"), in: zone).description == "2026-12-07")
        // In June Auckland is on standard time, UTC+12.
        #expect(CalendarDay(try Self.instant("2026-06-06T11:30:00Z"), in: zone).description == "2026-06-06")
        #expect(CalendarDay(try Self.instant("2026-06-06T12:00:00Z"), in: zone).description == "2026-06-07")
    }

    @Test("west of UTC an instant early in the UTC day is still the day before")
    func honolulu() throws {
        let zone = TimeZone.location("Pacific/Honolulu")
        #expect(CalendarDay(try Self.instant("2026-12-07T09:59:00Z"), in: zone).description == "2026-12-06")
        #expect(CalendarDay(try Self.instant("2026-12-07T10:00:00Z"), in: zone).description == "2026-12-07")
    }

    @Test("a missing or unknown zone name is UTC, so the local day is the UTC day")
    func unknownZone() throws {
        let date = try Self.instant("2026-12-06T23:30:00Z")
        for name in [nil, "Mars/Olympus_Mons", ""] {
            #expect(TimeZone.location(name).secondsFromGMT(for: date) == 0)
            #expect(CalendarDay(date, in: TimeZone.location(name)) == CalendarDay(date))
        }
        #expect(TimeZone.location("Europe/London").identifier == "Europe/London")
    }

    @Test("one rule for a zone name: the decider opens a location exactly when the reads know its zone")
    func oneRule() throws {
        let now = try Self.instant("2026-12-06T12:00:00Z")
        let location = LocationState(id: try #require(LocationID("LDN")))
        for name in [
            "Europe/London", "Pacific/Auckland", "UTC", "GMT", "Mars/Olympus_Mons", "Europe/Londres", "+05:00",
        ] {
            let open = LocationCommand.open(
                LocationOpened(at: now, name: "Studio", city: "City", timeZone: name, currency: .usd))
            let opened = (try? LocationDecider.decide(open, location: location, now: now)) != nil
            #expect(opened == (TimeZone.known(name) != nil), "\(name)")
            #expect(TimeZone.location(name) == (TimeZone.known(name) ?? .gmt), "\(name)")
        }
        #expect(TimeZone.known("Mars/Olympus_Mons") == nil && TimeZone.known(nil) == nil)
    }
}
