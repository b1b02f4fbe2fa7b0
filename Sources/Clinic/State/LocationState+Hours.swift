import Foundation

extension LocationState {
    /// The location's IANA time zone, nil when not opened or when the identifier is unknown.
    public var timeZone: TimeZone? { opened.flatMap { TimeZone.known($0.timeZone) } }

    /// The hours recorded for an ISO weekday, nil when the location is closed that day.
    public func hours(onWeekday weekday: Int) -> OpeningHours? { hours.first { $0.weekday == weekday } }

    /// Why a slot falls outside the opening hours, read on the location's own clock; nil when it fits or when no
    /// hours were ever recorded (a location whose hours are unknown is not checked).
    public func openingHoursProblem(_ slot: TimeSlot) -> Rejection? {
        guard !hours.isEmpty, let opened else { return nil }
        guard let zone = timeZone else { return .unknownTimeZone(id, opened.timeZone) }
        let start = LocalTime(slot.start, in: zone)
        let end = LocalTime(slot.end, in: zone)
        var endMinute: Int?
        if end.day == start.day {
            endMinute = end.minute
        } else if end.day == start.day.adding(days: 1), end.minute == 0 {
            endMinute = 1440  // a slot ending at local midnight ends at minute 1440 of its first day
        }
        let open = hours(onWeekday: start.weekday)
        if let open, let endMinute, open.opensAtMinute <= start.minute, endMinute <= open.closesAtMinute {
            return nil
        }
        return .outsideOpeningHours(id, start: start, end: end, timeZone: opened.timeZone, hours: open)
    }
}
