import CivilCalendar
import Crypto
import Foundation
import TextCodecs

/// The canonical form of an event in the hash chain, and its SHA-256 link.
///
///     hash = SHA-256(prev_hash || F("stipple.event.v1") || F(position) || F(stream) || F(version)
///                    || F(event_id) || F(type) || F(schema_version) || F(data) || F(metadata) || F(recorded_at))
///     F(x) = UInt32 big-endian byte length of x, then the UTF-8 bytes of x
///
/// Integers are decimal text, `event_id` lowercase hyphenated, `data`/`metadata` PostgreSQL's
/// `jsonb` text, `recorded_at` integer microseconds since the Unix epoch (UTC). The same
/// definition is in `Schema/0003_hash_chain.sql` and `docs/audit.md`; this type is the
/// verifier's own implementation, independent of the database's.
public enum ChainCanonicalForm {
    /// Names this version of the canonical form; it is the first field of every event.
    public static let tag = "stipple.event.v1"
    /// The `prev_hash` of the first event: 32 zero bytes.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// The link of one event, given the hash of its predecessor.
    public static func hash(
        previous: [UInt8], position: Int64, stream: String, version: Int, eventID: UUID, type: String,
        schemaVersion: Int, data: String, metadata: String, recordedAtMicroseconds: Int64
    ) -> [UInt8] {
        var builder = Builder()
        builder.begin(previous: previous)
        for field in [
            String(position), stream, String(version), eventID.uuidString.lowercased(), type, String(schemaVersion),
            data, metadata, String(recordedAtMicroseconds),
        ] {
            builder.append(field: Array(field.utf8)[...])
        }
        return Array(builder.finish())
    }

    /// Integer microseconds since the Unix epoch from `timestamptz` text as this module's
    /// sessions get it (ISO style, e.g. `2025-11-28 02:11:00.123456+00`); nil for anything else.
    ///
    /// Integer arithmetic only, so it is exact; the verifier uses it instead of asking the
    /// server to convert, which keeps server functions out of verification (and is faster).
    public static func epochMicroseconds(fromTimestamp text: String) -> Int64? {
        epochMicroseconds(fromTimestamp: Array(text.utf8)[...])
    }

    /// The same, from the cell's bytes (concrete types: this runs once per event).
    static func epochMicroseconds(fromTimestamp text: ArraySlice<UInt8>) -> Int64? {
        var index = text.startIndex
        let end = text.endIndex
        func number(_ minimum: Int, _ maximum: Int) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while index < end, count < maximum, text[index] >= 48, text[index] <= 57 {
                value = value * 10 + Int64(text[index] - 48)
                index += 1
                count += 1
            }
            return count >= minimum ? value : nil
        }
        func skip(_ byte: UInt8) -> Bool {
            guard index < end, text[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4, 9), skip(45), let month = number(2, 2), skip(45), let day = number(2, 2),
            skip(32) || skip(84), let hour = number(2, 2), skip(58), let minute = number(2, 2), skip(58),
            let second = number(2, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var micros: Int64 = 0
        if skip(46) {
            let start = index
            guard let fraction = number(1, 6) else { return nil }
            micros = fraction
            for _ in 0..<(6 - (index - start)) { micros *= 10 }
        }
        var offset: Int64 = 0
        if index < end, text[index] == 43 || text[index] == 45 {
            let sign: Int64 = text[index] == 45 ? -1 : 1
            index += 1
            guard let hours = number(2, 2) else { return nil }
            var seconds = hours * 3600
            if skip(58) {
                guard let minutes = number(2, 2) else { return nil }
                seconds += minutes * 60
                if skip(58) {
                    guard let extra = number(2, 2) else { return nil }
                    seconds += extra
                }
            }
            offset = sign * seconds
        }
        guard index == end else { return nil }  // e.g. " BC": not a time an append records
        let days = Int64(CivilDays.days(year: Int(year), month: Int(month), day: Int(day)))
        return ((days * 86_400 + hour * 3600 + minute * 60 + second) - offset) * 1_000_000 + micros
    }

    /// Builds canonical forms into one reused buffer, so hashing a page of events does not
    /// allocate per field.
    struct Builder {
        private var buffer: [UInt8] = []
        private var digits: [UInt8] = []
        private static let tagBytes = Array(ChainCanonicalForm.tag.utf8)

        init() {
            buffer.reserveCapacity(4096)
            digits.reserveCapacity(24)
        }

        /// Starts an event: its predecessor's hash, then the tag field.
        mutating func begin(previous: [UInt8]) {
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: previous)
            append(field: Self.tagBytes[...])
        }

        /// Starts an event from its predecessor's hash as hex text; false when it is not hex.
        mutating func begin(previousHex: ArraySlice<UInt8>) -> Bool {
            buffer.removeAll(keepingCapacity: true)
            var index = previousHex.startIndex
            while index + 1 < previousHex.endIndex {
                guard let high = Hex.nibble(previousHex[index]), let low = Hex.nibble(previousHex[index + 1]) else {
                    return false
                }
                buffer.append(high << 4 | low)
                index += 2
            }
            append(field: Self.tagBytes[...])
            return index == previousHex.endIndex
        }

        /// Appends one length-prefixed field.
        mutating func append(field: ArraySlice<UInt8>) {
            appendLength(field.count)
            buffer.append(contentsOf: field)
        }

        /// Appends an integer as a length-prefixed decimal field.
        mutating func append(decimal value: Int64) {
            digits.removeAll(keepingCapacity: true)
            var rest = value.magnitude
            repeat {
                digits.append(UInt8(48 + rest % 10))
                rest /= 10
            } while rest > 0
            if value < 0 { digits.append(45) }
            appendLength(digits.count)
            buffer.append(contentsOf: digits.reversed())
        }

        private mutating func appendLength(_ length: Int) {
            let count = UInt32(truncatingIfNeeded: length)
            buffer.append(UInt8(truncatingIfNeeded: count >> 24))
            buffer.append(UInt8(truncatingIfNeeded: count >> 16))
            buffer.append(UInt8(truncatingIfNeeded: count >> 8))
            buffer.append(UInt8(truncatingIfNeeded: count))
        }

        /// The SHA-256 of everything since `begin`.
        func finish() -> SHA256Digest {
            buffer.withUnsafeBytes { SHA256.hash(data: $0) }
        }
    }
}
