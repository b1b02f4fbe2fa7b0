import Foundation
import TextCodecs

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
        return bytes.withUnsafeBufferPointer { UUIDText.parse($0) }.map(UUID.init(uuid:))
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
