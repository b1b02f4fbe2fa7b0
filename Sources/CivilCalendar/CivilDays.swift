/// Days since 1970-01-01 in the proleptic Gregorian calendar, and back: Howard Hinnant's civil calendar
/// algorithms (exact for every year, branch-light, no `Calendar` or time zone involved).
///
/// The one home of this arithmetic: `timestamptz` text (`Postgres`), the audit chain's reading of it
/// (`EventStore`) and the clinic's calendar days and timestamps (`Clinic`, which depends on neither) use it.
public enum CivilDays {
    /// The days from 1970-01-01 to `year`-`month`-`day` (negative before it); `month` is 1–12.
    @inlinable
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The year, month (1–12) and day of the day `days` after 1970-01-01.
    @inlinable
    public static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The UTF-8 of `YYYY-MM-DDTHH:MM:SS` in UTC for whole `seconds` since 1970-01-01T00:00:00Z (a year
    /// past 9999 with all its digits; callers keep to years from 0): the one writer of a UTC date-time's digits, for `Postgres`'
    /// timestamp parameters and the projections' JSON dates.
    public static func utcDateTime(seconds: Int64) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(27)
        appendUTCDateTime(seconds: seconds, to: &bytes)
        return bytes
    }

    /// Appends `utcDateTime(seconds:)`'s UTF-8 to `bytes` (no array of its own: the projections write a date
    /// per curve point and per row).
    public static func appendUTCDateTime(seconds: Int64, to bytes: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let civil = date(days: Int(days))
        var yearDigits = 4
        var power = 10_000
        while civil.year >= power {
            yearDigits += 1
            power *= 10  // at most 10^12: a year from Int64 seconds has at most 12 digits
        }
        // Written into a buffer on the stack, then appended at once (byte by byte, each append checked the
        // array's capacity and uniqueness).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: yearDigits + 15) { text in
            var position = 0
            func put(_ byte: UInt8) {
                text[position] = byte
                position += 1
            }
            func digits(_ value: Int, _ width: Int) {
                var divisor = 1
                for _ in 1..<width { divisor *= 10 }
                while divisor > 0 {
                    put(UInt8(48 + value / divisor % 10))
                    divisor /= 10
                }
            }
            digits(civil.year, yearDigits)
            put(UInt8(ascii: "-"))
            digits(civil.month, 2)
            put(UInt8(ascii: "-"))
            digits(civil.day, 2)
            put(UInt8(ascii: "T"))
            digits(secondOfDay / 3600, 2)
            put(UInt8(ascii: ":"))
            digits(secondOfDay % 3600 / 60, 2)
            put(UInt8(ascii: ":"))
            digits(secondOfDay % 60, 2)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<position]))
        }
    }
}
