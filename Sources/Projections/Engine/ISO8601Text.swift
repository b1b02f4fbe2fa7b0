import CivilCalendar
import Clinic
import Foundation

/// UTC ISO-8601 text of dates, written by hand for the years 1600–9999: formatting through
/// `Date.ISO8601FormatStyle` (a `Calendar` computing components per date) was a visible share of a
/// rebuild, which writes a few dates per event. Other years go through the formatters, so the text is
/// always theirs.
enum ISO8601Text {
    /// `YYYY-MM-DDTHH:MM:SSZ`, the second rounded down: what `JSONEncoder`'s `.iso8601` writes.
    static func appendSeconds(_ date: Date, to text: inout String) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard let bytes = digits(seconds) else {
            text += Date(timeIntervalSince1970: seconds).formatted(.iso8601)
            return
        }
        text += String(decoding: bytes, as: UTF8.self)
    }

    /// `appendSeconds(_:to:)` as UTF-8 bytes.
    static func appendSeconds(_ date: Date, to bytes: inout [UInt8]) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard isWrittenByHand(seconds) else {
            bytes.append(contentsOf: Date(timeIntervalSince1970: seconds).formatted(.iso8601).utf8)
            return
        }
        // Straight into `bytes` (a forecast row writes a few hundred dates).
        CivilDays.appendUTCDateTime(seconds: Int64(seconds), to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `YYYY-MM-DDTHH:MM:SS.sssZ`: what `RowValue.iso8601` writes (milliseconds, UTC), by hand for a date
    /// of whole seconds (every date the clinic's events hold), else through the formatter.
    static func milliseconds(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds == seconds.rounded(.down), var bytes = digits(seconds) else {
            return date.formatted(
                .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        }
        bytes.removeLast()
        bytes.append(contentsOf: [UInt8(ascii: "."), 48, 48, 48, UInt8(ascii: "Z")])
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SS`, the second rounded down, no zone: what
    /// `.iso8601.year().month().day().time(includingFractionalSeconds: false)` writes (UTC; the timeline's
    /// sentences), by hand for the years 1600–9999, else through that format style.
    static func secondsWithoutZone(_ date: Date) -> String {
        guard var bytes = digits(date.timeIntervalSince1970.rounded(.down)) else {
            return date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
        }
        bytes.removeLast()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The UTF-8 of `YYYY-MM-DDTHH:MM:SSZ` for whole `seconds` since 1970 in the years 1600–9999, else nil.
    private static func digits(_ seconds: Double) -> [UInt8]? {
        guard isWrittenByHand(seconds) else { return nil }
        var bytes = CivilDays.utcDateTime(seconds: Int64(seconds))
        bytes.append(UInt8(ascii: "Z"))
        return bytes
    }

    /// Whether whole `seconds` since 1970 fall in the years 1600–9999.
    private static func isWrittenByHand(_ seconds: Double) -> Bool {
        seconds >= -11_676_096_000 && seconds <= 253_402_300_799
    }
}
