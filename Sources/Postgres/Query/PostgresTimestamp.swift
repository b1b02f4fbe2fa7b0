import CivilCalendar
import Foundation

/// Formats and parses `timestamptz` text as this module's sessions send it: ISO style, UTC.
///
/// Hand-written rather than through `DateFormatter`: it is on the hot path of reading
/// every event, and it must keep microseconds exactly.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        return String(decoding: CivilDays.utcDateTime(seconds: seconds), as: UTF8.self) + ".\(pad(fraction, 6))Z"
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]` (also with `T`), in place.
    static func parse(_ bytes: Span<UInt8>) -> Date? {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]` (also with `T`).
    static func parse<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Date? where Bytes.Index == Int {
        guard let parts = parseParts(bytes) else { return nil }
        return Date(timeIntervalSince1970: Double(parts.seconds) + Double(parts.micros) / 1_000_000)
    }

    /// `parse(_:)`'s instant as whole seconds since 1970 (UTC) and the microseconds after them (0–999,999;
    /// digits past the sixth dropped): exact, for `timestamptz`'s binary form (`CopyBinaryRows`).
    static func parseParts<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> (seconds: Int64, micros: Int64)?
    where Bytes.Index == Int {
        var cursor = bytes.startIndex
        let end = bytes.endIndex
        func number(_ digits: Int) -> Int64? {
            guard cursor + digits <= end else { return nil }
            var value: Int64 = 0
            for index in cursor..<(cursor + digits) {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            cursor += digits
            return value
        }
        func expect(_ characters: UInt8...) -> Bool {
            guard cursor < end, characters.contains(bytes[cursor]) else { return false }
            cursor += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            expect(32, 84), let hour = number(2), expect(58), let minute = number(2), expect(58),
            let second = number(2)
        else { return nil }
        var micros: Int64 = 0
        if cursor < end, bytes[cursor] == 46 {
            cursor += 1
            var digits = 0
            while cursor < end, bytes[cursor] >= 48, bytes[cursor] <= 57 {
                if digits < 6 { micros = micros * 10 + Int64(bytes[cursor] - 48) }
                digits += 1
                cursor += 1
            }
            for _ in digits..<6 where digits < 6 { micros *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if cursor < end {
            let sign: Int64
            switch bytes[cursor] {
            case 43: sign = 1
            case 45: sign = -1
            case 90: sign = 0
            default: return nil
            }
            cursor += 1
            if sign != 0 {
                guard let offsetHours = number(2) else { return nil }
                var offsetMinutes: Int64 = 0
                if expect(58), let minutes = number(2) { offsetMinutes = minutes }
                offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            }
        }
        let days = Int64(CivilDays.days(year: Int(year), month: Int(month), day: Int(day)))
        return (days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds, micros)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
