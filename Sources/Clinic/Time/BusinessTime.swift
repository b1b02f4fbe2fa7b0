import Foundation

/// Helpers for business time: the time a fact happened in the clinic, as opposed to when it was recorded.
public enum BusinessTime {
    /// An ISO-8601 UTC timestamp with whole seconds, e.g. `2026-03-02T09:30:00Z`, formatted without a formatter.
    public static func iso(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let time = [rest / 3600, rest % 3600 / 60, rest % 60].map { String($0).leftPadded(to: 2) }
        return "\(CalendarDay(daysSinceEpoch: days))T\(time.joined(separator: ":"))Z"
    }

    /// Seconds in a day.
    public static let day: TimeInterval = 86_400
}
