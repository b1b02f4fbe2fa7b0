import Foundation

/// A half-open interval of business time `[start, end)` that an appointment occupies.
public struct TimeSlot: Hashable, Sendable, Codable, CustomStringConvertible {
    /// When the appointment starts.
    public var start: Date
    /// When the appointment ends (exclusive).
    public var end: Date

    /// Creates a slot.
    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    /// Creates a slot of a number of minutes.
    public init(start: Date, minutes: Int) {
        self.init(start: start, end: start.addingTimeInterval(TimeInterval(minutes) * 60))
    }

    /// The length in seconds.
    public var duration: TimeInterval { end.timeIntervalSince(start) }

    /// True when the two half-open intervals share any instant; back-to-back slots do not overlap.
    public func overlaps(_ other: TimeSlot) -> Bool { start < other.end && other.start < end }

    /// `start–end` in ISO-8601.
    public var description: String { "\(BusinessTime.iso(start))–\(BusinessTime.iso(end))" }
}
