import CivilCalendar
import Foundation
import Testing

@Suite("Days since 1970-01-01 and back, as Foundation's Gregorian calendar counts them")
struct CivilDaysTests {
    @Test("known days: the epoch, leap days, century years, a day before the epoch")
    func knownDays() {
        #expect(CivilDays.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDays.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilDays.days(year: 2000, month: 2, day: 29) == 11_016)
        #expect(CivilDays.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilDays.days(year: 1900, month: 3, day: 1) - CivilDays.days(year: 1900, month: 2, day: 28) == 1)
        #expect(CivilDays.date(days: 20_793) == (2026, 12, 6))
    }

    @Test("from 1600 to 9999 every 997th day agrees with Foundation's Gregorian calendar in UTC, both ways")
    func agreesWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(secondsFromGMT: 0))
        // Foundation's Gregorian calendar switches to the Julian one before 1582.
        let first = CivilDays.days(year: 1600, month: 1, day: 1)
        let last = CivilDays.days(year: 9999, month: 12, day: 31)
        var checked = 0
        for days in stride(from: first, through: last, by: 997) {
            let civil = CivilDays.date(days: days)
            let parts = calendar.dateComponents(
                [.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect(parts.year == civil.year && parts.month == civil.month && parts.day == civil.day, "\(days)")
            #expect(CivilDays.days(year: civil.year, month: civil.month, day: civil.day) == days)
            checked += 1
        }
        #expect(checked > 2_900)
    }

    @Test("a UTC date-time's text is the ISO-8601 formatter's, a year of five digits or more written whole")
    func utcDateTimeText() throws {
        var random = SystemRandomNumberGenerator()
        var seconds: [Int64] = [0, -1, 1, 86_399, 86_400, 951_782_400, 1_700_000_123, -11_676_096_000, 253_402_300_799]
        for _ in 0..<3000 { seconds.append(Int64.random(in: -11_676_096_000...253_402_300_799, using: &random)) }
        for value in seconds {
            let expected = Date(timeIntervalSince1970: Double(value)).formatted(
                .iso8601.year().month().day().time(includingFractionalSeconds: false))
            #expect(String(decoding: CivilDays.utcDateTime(seconds: value), as: UTF8.self) == expected, "\(value)")
            var appended = Array("x".utf8)
            CivilDays.appendUTCDateTime(seconds: value, to: &appended)
            #expect(appended == Array("x\(expected)".utf8))
        }
        #expect(
            String(decoding: CivilDays.utcDateTime(seconds: 253_402_300_800), as: UTF8.self) == "10000-01-01T00:00:00")
        #expect(
            String(decoding: CivilDays.utcDateTime(seconds: 3_155_695_200_000 + 3_661), as: UTF8.self)
                == "101970-01-01T01:01:01")
    }
}
