import Foundation

/// Parses the dates people type: `2026-03-31` (the end of that day, UTC, when `endOfDay`)
/// or a full ISO 8601 timestamp.
enum DateArgument {
    static func parse(_ text: String, endOfDay: Bool = false) throws -> Date {
        if let day = try? Date(text + "T00:00:00Z", strategy: .iso8601), text.count == 10 {
            return endOfDay ? day.addingTimeInterval(86_400 - 0.000_001) : day
        }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) {
            return date
        }
        throw UserError("'\(text)' is not a date: use YYYY-MM-DD or an ISO 8601 timestamp like 2026-03-31T18:00:00Z")
    }

    /// Checks a `YYYY-MM-DD` day and returns it unchanged.
    static func day(_ text: String) throws -> String {
        _ = try parse(text)
        guard text.count == 10 else { throw UserError("'\(text)' is not a day: use YYYY-MM-DD") }
        return text
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }
    static func isoDay(_ date: Date) -> String { date.formatted(.iso8601.year().month().day()) }
}
