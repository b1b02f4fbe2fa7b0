import Foundation

/// A wall-clock time in a location's IANA time zone: the local calendar day and the minute after local midnight.
///
/// Opening hours are kept in local time (`OpeningHours`), so checking a booking against them means reading the
/// slot on the location's own clock, daylight saving time included.
public struct LocalTime: Hashable, Sendable, CustomStringConvertible {
    /// The local calendar day.
    public var day: CalendarDay
    /// Minutes after local midnight, 0–1439.
    public var minute: Int

    /// Creates a local time from its parts.
    public init(day: CalendarDay, minute: Int) {
        self.day = day
        self.minute = minute
    }

    /// The wall-clock time `date` shows in `zone`.
    public init(_ date: Date, in zone: TimeZone) {
        // The one reading of a wall clock: `CalendarDay(_:in:)` takes its day from here.
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: date)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        self.init(day: CalendarDay(daysSinceEpoch: days), minute: (seconds - days * 86_400) / 60)
    }

    /// The instant this wall-clock time happens in `zone` (in a DST gap, the offset before the gap applies).
    public func date(in zone: TimeZone) -> Date {
        let naive = day.startDate.addingTimeInterval(TimeInterval(minute * 60))
        let first = naive.addingTimeInterval(-TimeInterval(zone.secondsFromGMT(for: naive)))
        return naive.addingTimeInterval(-TimeInterval(zone.secondsFromGMT(for: first)))
    }

    /// ISO weekday of the local day: 1 = Monday … 7 = Sunday.
    public var weekday: Int { day.isoWeekday }

    /// `HH:MM`.
    public var clock: String { Self.clock(minute) }

    /// `YYYY-MM-DD HH:MM`.
    public var description: String { "\(day) \(clock)" }

    /// `HH:MM` for minutes after midnight (1440 reads `24:00`).
    public static func clock(_ minute: Int) -> String {
        String(minute / 60).leftPadded(to: 2) + ":" + String(minute % 60).leftPadded(to: 2)
    }

    /// English weekday names by ISO number (index 0 = Monday).
    public static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
}

extension CalendarDay {
    /// ISO weekday: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    public var isoWeekday: Int { ((daysSinceEpoch + 3) % 7 + 7) % 7 + 1 }

    /// The same day of the month `months` later (earlier when negative), clamped to the month's last day
    /// (2024-02-29 plus 12 months is 2025-02-28).
    public func adding(months: Int) -> CalendarDay {
        let index = year * 12 + (month - 1) + months
        let newYear = index >= 0 ? index / 12 : (index - 11) / 12
        let newMonth = index - newYear * 12 + 1
        var newDay = day
        while newDay > 28, CalendarDay(year: newYear, month: newMonth, day: newDay) == nil { newDay -= 1 }
        return CalendarDay(year: newYear, month: newMonth, day: newDay) ?? self
    }
}
