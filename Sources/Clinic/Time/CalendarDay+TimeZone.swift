import Foundation

extension CalendarDay {
    /// The calendar day an instant falls on in `zone`: a location's local date (the day its front desk sees), as
    /// `LocalTime` reads it.
    public init(_ date: Date, in zone: TimeZone) {
        self = LocalTime(date, in: zone).day
    }
}

extension TimeZone {
    /// The IANA zone a location names (e.g. `Pacific/Auckland`), UTC when it names none or one unknown here.
    ///
    /// Locations' zones are free text in their events: one place decides what an unknown name means.
    public static func location(_ identifier: String?) -> TimeZone {
        identifier.flatMap(TimeZone.init(identifier:)) ?? TimeZone(secondsFromGMT: 0) ?? .current
    }
}
