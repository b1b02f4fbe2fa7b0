import Clinic
import Foundation

/// How the console writes dates, times and money: in the location's time zone, money with its currency.
enum ConsoleFormat {
    /// A day and time in `zone` (an IANA name; UTC when unknown), e.g. `2026-12-06 14:30`.
    static func dateTime(_ date: Date?, zone: String? = nil) -> String {
        guard let date else { return "—" }
        return formatter("yyyy-MM-dd HH:mm", zone).string(from: date)
    }

    /// A time of day in `zone`, e.g. `14:30`.
    static func time(_ date: Date, zone: String?) -> String {
        formatter("HH:mm", zone).string(from: date)
    }

    /// A day, e.g. `2026-12-06`.
    static func day(_ date: Date?, zone: String? = nil) -> String {
        guard let date else { return "—" }
        return formatter("yyyy-MM-dd", zone).string(from: date)
    }

    /// A day and time in `zone` followed by the zone's name, e.g. `2026-12-09 10:00 Pacific/Auckland`.
    static func zonedDateTime(_ date: Date, zone: String?) -> String {
        dateTime(date, zone: zone) + " " + zoneName(zone)
    }

    /// The zone's name to show beside times: UTC when the location names none, and said so when it names one
    /// unknown here (its times are then shown in UTC, `TimeZone.location`).
    static func zoneName(_ zone: String?) -> String {
        guard let zone else { return "UTC" }
        return TimeZone.known(zone)?.identifier ?? "UTC (the location's zone \(zone.prefix(64)) is not known here)"
    }

    /// `text` (a timeline summary, which writes instants in UTC as ISO 8601, `2026-12-07T10:00:00` with or without
    /// the `Z`) with each instant written as a day and time in `zone`, as the rest of the page is.
    static func localizing(_ text: String, zone: String?) -> String {
        // A scan of the bytes rather than a Regex: this runs for every entry of every client page.
        let bytes = Array(text.utf8)
        let shape = Array("dddd-dd-ddTdd:dd:dd".utf8)
        let digit = UInt8(ascii: "d")
        guard bytes.count >= shape.count, bytes.contains(UInt8(ascii: "T")) else { return text }
        var out = [UInt8]()
        var index = 0
        while index < bytes.count {
            let end = index + shape.count
            let matches =
                end <= bytes.count
                && zip(bytes[index..<end], shape).allSatisfy { byte, want in
                    want == digit ? (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) : byte == want
                }
            if matches,
                let date = ISO8601DateFormatter().date(from: String(decoding: bytes[index..<end], as: UTF8.self) + "Z")
            {
                out += Array(dateTime(date, zone: zone).utf8)
                index = end < bytes.count && bytes[end] == UInt8(ascii: "Z") ? end + 1 : end
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func formatter(_ format: String, _ zone: String?) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = TimeZone.location(zone)
        formatter.dateFormat = format
        return formatter
    }

    /// `GBP 12.50`, or the minor units alone when the currency is unknown.
    static func money(_ minor: Int64, _ currency: String?) -> String {
        guard let currency, let code = Currency(currency) else {
            return currency.map { "\($0) \(minor)" } ?? "\(minor)"
        }
        return Money(minorUnits: minor, currency: code).description
    }

    /// `45%`.
    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return "\(Int((value * 100).rounded()))%"
    }
}
