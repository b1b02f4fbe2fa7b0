import Foundation
import TextCodecs

/// A Swift value that can be bound as a statement parameter.
public protocol PostgresEncodable: Sendable {
    var postgresBind: PostgresBind { get }
}

extension String: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(self) }
}

extension Int: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}

extension Int16: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}

extension Int32: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}

extension Int64: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}

extension Bool: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(self ? "t" : "f") }
}

extension Double: PostgresEncodable {
    public var postgresBind: PostgresBind {
        if isNaN { return .text("NaN") }
        if isInfinite { return .text(self > 0 ? "Infinity" : "-Infinity") }
        return .text("\(self)")
    }
}

extension UUID: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(uuidString.lowercased()) }
}

extension Date: PostgresEncodable {
    /// ISO 8601 in UTC with microseconds, the precision of `timestamptz`.
    public var postgresBind: PostgresBind { .text(PostgresTimestamp.format(self)) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresBind: PostgresBind {
        switch self {
        case .none: .null
        case .some(let value): value.postgresBind
        }
    }
}

/// A one-dimensional array parameter, sent as PostgreSQL's array text (`{"a","b",NULL}`, every element
/// quoted): write `\(values)::integer[]` (the element type's array) in the statement.
extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// Built byte by byte: the append sends several arrays per call, and `replacingOccurrences` on every
    /// element was a fifth of the client's CPU with 8 writers.
    public var postgresBind: PostgresBind {
        var text: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            switch element.postgresBind {
            case .null:
                text.append(contentsOf: "NULL".utf8)
            case .text(let value):
                text.append(UInt8(ascii: "\""))
                for byte in value.utf8 {
                    if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { text.append(UInt8(ascii: "\\")) }
                    text.append(byte)
                }
                text.append(UInt8(ascii: "\""))
            case .bytea(let bytes):
                // "\\x…": the element's escaped backslash, then bytea's hex form.
                text.append(contentsOf: #""\\x"#.utf8)
                Hex.append(bytes, to: &text)
                text.append(UInt8(ascii: "\""))
            }
        }
        text.append(UInt8(ascii: "}"))
        return .text(String(decoding: text, as: UTF8.self))
    }
}

/// Raw bytes for a `bytea` parameter.
public struct Bytea: PostgresEncodable, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ data: Data) { self.bytes = Array(data) }
    public var postgresBind: PostgresBind { .bytea(bytes) }
}

/// JSON text for a `json`/`jsonb` parameter (write `\(json)::jsonb` in the statement).
public struct JSONText: PostgresEncodable, Hashable {
    public var data: Data
    public init(_ data: Data) { self.data = data }
    public init(_ string: String) { self.data = Data(string.utf8) }
    public var string: String { String(decoding: data, as: UTF8.self) }
    public var postgresBind: PostgresBind { .text(string) }
}
