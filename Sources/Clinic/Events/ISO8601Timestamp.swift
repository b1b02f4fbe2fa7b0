import CivilCalendar
import Foundation

/// Reads the timestamps stored clinic events hold, `YYYY-MM-DDTHH:MM:SSZ` (what `JSONEncoder`'s
/// `.iso8601` writes), without `ISO8601FormatStyle`: parsing dates that way was a visible share of
/// decoding every event.
///
/// Any other text goes to `Date.ISO8601FormatStyle`, the parser `JSONDecoder`'s `.iso8601` strategy
/// uses, so what is accepted, what it means and what is refused stay exactly as they were.
enum ISO8601Timestamp {
    /// The date `text` stands for, or nil when it is not an ISO-8601 date-time.
    static func parse(_ text: String) -> Date? {
        var text = text
        if let date = text.withUTF8(parseCanonical) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }

    /// The date of exactly `YYYY-MM-DDTHH:MM:SSZ` with every field in range, else nil. Years from 1600 only:
    /// Foundation's Gregorian calendar switches to the Julian one before 1582, a proleptic one does not.
    static func parseCanonical(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ start: Int, _ digits: Int) -> Int? {
            var value = 0
            for index in start..<(start + digits) {
                let digit = Int(bytes[index]) &- 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), year >= 1600, (1...12).contains(month),
            day >= 1, day <= daysIn(month: month, year: year), hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let days = CivilDays.days(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
