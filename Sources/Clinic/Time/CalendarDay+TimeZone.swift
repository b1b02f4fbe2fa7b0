import Foundation

extension CalendarDay {
    /// The calendar day an instant falls on in `zone`: a location's local date (the day its front desk sees), as
    /// `LocalTime` reads it.
    public init(_ date: Date, in zone: TimeZone) {
        self = LocalTime(date, in: zone).day
    }
}

extension TimeZone {
    /// The IANA zone `identifier` names (e.g. `Pacific/Auckland`), nil when it names none this system knows.
    ///
    /// The one rule for a location's zone name: `LocationDecider` refuses to open a location whose name it does
    /// not know, and what turns a local time into an instant refuses such a location rather than read the time
    /// in UTC (the console's booking form). Only events written before the decider checked can hold one.
    public static func known(_ identifier: String?) -> TimeZone? {
        identifier.flatMap(TimeZone.init(identifier:))
    }

    /// The zone to count a location's days and show its times in: `known(identifier)`, UTC when it names none or
    /// one unknown here; where times are shown, say which (`known(_:)` tells the two apart).
    public static func location(_ identifier: String?) -> TimeZone {
        known(identifier) ?? .gmt
    }
}
