/// Opening hours of a location on one weekday, in the location's local time.
public struct OpeningHours: Hashable, Sendable, Codable {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    public var weekday: Int
    /// Opening time in minutes after local midnight.
    public var opensAtMinute: Int
    /// Closing time in minutes after local midnight.
    public var closesAtMinute: Int

    /// Creates opening hours.
    public init(weekday: Int, opensAtMinute: Int, closesAtMinute: Int) {
        self.weekday = weekday
        self.opensAtMinute = opensAtMinute
        self.closesAtMinute = closesAtMinute
    }

    /// True when the weekday exists and the location opens before it closes on the same day.
    public var isValid: Bool {
        (1...7).contains(weekday) && opensAtMinute >= 0 && opensAtMinute < closesAtMinute && closesAtMinute <= 1440
    }
}
