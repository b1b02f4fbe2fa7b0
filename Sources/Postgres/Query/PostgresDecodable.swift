import Foundation

/// A Swift type a cell's text form can be decoded into.
public protocol PostgresDecodable: Sendable {
    /// Decodes the cell's text representation.
    static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Self
    /// Decodes the cell's text read in place from libpq's result, without a copy; what rows call. The
    /// default copies the bytes into `decode(fromText:)`: this module's own types read them in place.
    static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Self
    /// What a SQL NULL becomes; an error unless the type is Optional.
    static func decodeNull(column: String) throws -> Self
}

extension PostgresDecodable {
    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Self {
        try decode(fromText: bytes.withUnsafeBufferPointer { ArraySlice($0) })
    }

    public static func decodeNull(column: String) throws -> Self {
        throw PostgresError(code: .decoding, message: "column \(column) is NULL but \(Self.self) is not optional")
    }

    static func mismatch(_ bytes: Span<UInt8>) -> PostgresError {
        let shown = bytes.withUnsafeBufferPointer { String(decoding: $0.prefix(40), as: UTF8.self) }
        return PostgresError(code: .decoding, message: "cannot decode '\(shown)' as \(Self.self)")
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Self {
        try Wrapped.decode(fromText: bytes)
    }
    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Self {
        try Wrapped.decode(fromTextSpan: bytes)
    }
    public static func decodeNull(column: String) throws -> Self { nil }
}

extension String: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> String {
        try decode(fromTextSpan: bytes.span)
    }

    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> String {
        bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }
}

/// Parses a base-10 integer without going through `String`.
private func parseInteger(_ bytes: Span<UInt8>) -> Int64? {
    var index = 0
    let end = bytes.count
    guard index < end else { return nil }
    var negative = false
    if bytes[index] == 45 {
        negative = true
        index += 1
        guard index < end else { return nil }
    }
    var value: Int64 = 0
    while index < end {
        let byte = bytes[index]
        guard byte >= 48, byte <= 57 else { return nil }
        let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (added, overflow2) = multiplied.addingReportingOverflow(Int64(byte - 48))
        guard !overflow1, !overflow2 else { return nil }
        value = added
        index += 1
    }
    return negative ? -value : value
}

extension Int64: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Int64 {
        try decode(fromTextSpan: bytes.span)
    }

    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Int64 {
        guard let value = parseInteger(bytes) else { throw mismatch(bytes) }
        return value
    }
}

extension Int: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Int {
        try decode(fromTextSpan: bytes.span)
    }

    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Int {
        guard let value = parseInteger(bytes), let exact = Int(exactly: value) else { throw mismatch(bytes) }
        return exact
    }
}

extension Int32: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Int32 {
        try decode(fromTextSpan: bytes.span)
    }

    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Int32 {
        guard let value = parseInteger(bytes), let exact = Int32(exactly: value) else { throw mismatch(bytes) }
        return exact
    }
}

extension Int16: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Int16 {
        try decode(fromTextSpan: bytes.span)
    }

    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Int16 {
        guard let value = parseInteger(bytes), let exact = Int16(exactly: value) else { throw mismatch(bytes) }
        return exact
    }
}

extension Bool: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Bool {
        try decode(fromTextSpan: bytes.span)
    }

    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Bool {
        guard bytes.count == 1 else { throw mismatch(bytes) }
        switch bytes[0] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw mismatch(bytes)
        }
    }
}

extension Double: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Double {
        try decode(fromTextSpan: bytes.span)
    }

    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Double {
        let text = bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
        guard let value = Double(text) else { throw mismatch(bytes) }
        return value
    }
}

extension UUID: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> UUID {
        try decode(fromTextSpan: bytes.span)
    }

    /// From the canonical text form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in either case,
    /// the only form `UUID(uuidString:)` accepts), parsed from the bytes without a `String`.
    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> UUID {
        guard let value = parseUUID(bytes) else { throw mismatch(bytes) }
        return value
    }

    static func parseUUID(_ bytes: Span<UInt8>) -> UUID? {
        guard bytes.count == 36 else { return nil }
        return bytes.withUnsafeBufferPointer { parseUUID(canonical: $0) }
    }

    /// `text` is 36 bytes long. Straight-line over the 16 byte pairs (no closure, no optionals per digit):
    /// every event read parses one.
    private static func parseUUID(canonical text: UnsafeBufferPointer<UInt8>) -> UUID? {
        let dash = UInt8(ascii: "-")
        guard text[8] == dash, text[13] == dash, text[18] == dash, text[23] == dash else { return nil }
        // Where each of the 16 bytes starts in the text (the dashes are skipped).
        let starts: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (
            0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34
        )
        // Each pair as 0x00HL, or with a bit above 0xFF set when either digit is not hex.
        func pair(_ start: Int) -> UInt16 {
            nibble(text[start]) << 4 | nibble(text[start + 1])
        }
        let pairs = (
            pair(starts.0), pair(starts.1), pair(starts.2), pair(starts.3), pair(starts.4), pair(starts.5),
            pair(starts.6), pair(starts.7), pair(starts.8), pair(starts.9), pair(starts.10), pair(starts.11),
            pair(starts.12), pair(starts.13), pair(starts.14), pair(starts.15)
        )
        let invalid =
            (pairs.0 | pairs.1 | pairs.2 | pairs.3 | pairs.4 | pairs.5 | pairs.6 | pairs.7 | pairs.8 | pairs.9
                | pairs.10 | pairs.11 | pairs.12 | pairs.13 | pairs.14 | pairs.15) & 0xFF00
        let value: uuid_t = (
            UInt8(truncatingIfNeeded: pairs.0), UInt8(truncatingIfNeeded: pairs.1), UInt8(truncatingIfNeeded: pairs.2),
            UInt8(truncatingIfNeeded: pairs.3), UInt8(truncatingIfNeeded: pairs.4), UInt8(truncatingIfNeeded: pairs.5),
            UInt8(truncatingIfNeeded: pairs.6), UInt8(truncatingIfNeeded: pairs.7), UInt8(truncatingIfNeeded: pairs.8),
            UInt8(truncatingIfNeeded: pairs.9), UInt8(truncatingIfNeeded: pairs.10),
            UInt8(truncatingIfNeeded: pairs.11), UInt8(truncatingIfNeeded: pairs.12),
            UInt8(truncatingIfNeeded: pairs.13), UInt8(truncatingIfNeeded: pairs.14),
            UInt8(truncatingIfNeeded: pairs.15)
        )
        return invalid == 0 ? UUID(uuid: value) : nil
    }

    /// A hex digit's value (either case), or 0x100.
    private static func nibble(_ byte: UInt8) -> UInt16 {
        switch byte {
        case 48...57: UInt16(byte - 48)
        case 97...102: UInt16(byte - 87)
        case 65...70: UInt16(byte - 55)
        default: 0x100
        }
    }
}

extension Date: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Date {
        try decode(fromTextSpan: bytes.span)
    }

    /// From `timestamptz` text (sessions run with `DateStyle=ISO` and `TimeZone=UTC`).
    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Date {
        guard let value = PostgresTimestamp.parse(bytes) else { throw mismatch(bytes) }
        return value
    }
}

extension Bytea: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> Bytea {
        try decode(fromTextSpan: bytes.span)
    }

    /// From `bytea` hex output (`\x0a1b…`).
    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> Bytea {
        guard bytes.count >= 2, bytes[0] == 92, bytes[1] == 120, bytes.count % 2 == 0 else { throw mismatch(bytes) }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 97...102: byte - 87
            case 65...70: byte - 55
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity((bytes.count - 2) / 2)
        var index = 2
        while index < bytes.count {
            guard let high = nibble(bytes[index]), let low = nibble(bytes[index + 1]) else { throw mismatch(bytes) }
            out.append(high << 4 | low)
            index += 2
        }
        return Bytea(out)
    }
}

extension JSONText: PostgresDecodable {
    public static func decode(fromText bytes: ArraySlice<UInt8>) throws -> JSONText {
        try decode(fromTextSpan: bytes.span)
    }

    /// The JSON text of a `json`/`jsonb` cell, as bytes ready for `JSONDecoder`.
    public static func decode(fromTextSpan bytes: Span<UInt8>) throws -> JSONText {
        JSONText(bytes.withUnsafeBufferPointer { Data(buffer: $0) })
    }
}
