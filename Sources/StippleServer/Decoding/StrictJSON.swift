import Foundation
import JSONNodes

/// Why a body is not strict JSON, and where (byte offset).
public struct StrictJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var offset: Int
    /// The member at fault when the error is about one (`a.b[2]`), else nil.
    public var field: String?

    public var description: String { field.map { "\($0): \(reason)" } ?? "\(reason) (at byte \(offset))" }
}

/// A strict RFC 8259 parser for request bodies: UTF-8 only (no byte order mark, no UTF-16),
/// no trailing commas or comments, no duplicate keys, no NUL, no `-0`, no number beyond a
/// `Double`, nesting at most `maximumDepth` deep.
///
/// Foundation's `JSONSerialization` accepts all of these (it sniffs UTF-16, allows trailing
/// commas and keeps the last of two equal keys), so every body is read here first.
public enum StrictJSON {
    /// How deep objects and arrays may nest.
    public static let maximumDepth = 32

    /// Parses `bytes` as one JSON value.
    public static func parse(_ bytes: some Collection<UInt8>) throws(StrictJSONError) -> JSONValue {
        let input = Array(bytes)
        if input.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw StrictJSONError(reason: "the body must be UTF-8 JSON without a byte order mark", offset: 0)
        }
        if input.starts(with: [0xFE, 0xFF]) || input.starts(with: [0xFF, 0xFE]) || input.contains(0) {
            throw StrictJSONError(
                reason: "the body must be UTF-8 JSON (it looks like UTF-16 or holds a NUL byte)", offset: 0)
        }
        guard String(validating: input, as: UTF8.self) != nil else {
            throw StrictJSONError(reason: "the body is not valid UTF-8", offset: 0)
        }
        var parser = Parser(bytes: input)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0, path: "")
        parser.skipWhitespace()
        guard parser.index == input.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func error(_ reason: String, field: String? = nil) -> StrictJSONError {
            StrictJSONError(reason: reason, offset: index, field: field.map { $0.isEmpty ? "(body)" : $0 })
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ literal: String, _ value: JSONValue) throws(StrictJSONError) -> JSONValue {
            let literalBytes = Array(literal.utf8)
            guard index + literalBytes.count <= bytes.count,
                Array(bytes[index..<index + literalBytes.count]) == literalBytes
            else { throw error("invalid literal (expected \(literal))") }
            index += literalBytes.count
            return value
        }

        mutating func value(depth: Int, path: String) throws(StrictJSONError) -> JSONValue {
            guard let byte = current else { throw error("the body ends before a value") }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth + 1, path: path)
            case UInt8(ascii: "["): return try array(depth: depth + 1, path: path)
            case UInt8(ascii: "\""): return .string(try string(path: path))
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number(path: path))
            default: throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'")
            }
        }

        mutating func object(depth: Int, path: String) throws(StrictJSONError) -> JSONValue {
            guard depth <= StrictJSON.maximumDepth else {
                throw error("objects and arrays nest more than \(StrictJSON.maximumDepth) deep")
            }
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            var seen: Set<String> = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    throw error(
                        members.isEmpty ? "expected a member name" : "expected a member name (no trailing commas)")
                }
                let key = try string(path: path)
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                guard seen.insert(key).inserted else { throw error("the member appears twice", field: memberPath) }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
                index += 1
                skipWhitespace()
                members.append((key, try value(depth: depth, path: memberPath)))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return .object(members)
                default: throw error("expected ',' or '}' in an object")
                }
            }
        }

        mutating func array(depth: Int, path: String) throws(StrictJSONError) -> JSONValue {
            guard depth <= StrictJSON.maximumDepth else {
                throw error("objects and arrays nest more than \(StrictJSON.maximumDepth) deep")
            }
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                if current == UInt8(ascii: "]") { throw error("expected a value (no trailing commas)") }
                items.append(try value(depth: depth, path: "\(path)[\(items.count)]"))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return .array(items)
                default: throw error("expected ',' or ']' in an array")
                }
            }
        }

        mutating func string(path: String) throws(StrictJSONError) -> String {
            index += 1
            var out: [UInt8] = []
            while true {
                guard let byte = current else { throw error("a string is not closed") }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escape = current else { throw error("a string is not closed") }
                    index += 1
                    if let byte = JSONEscape.simple(escape) {
                        out.append(byte)
                        continue
                    }
                    switch escape {
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count,
                                bytes[index + 1] == UInt8(ascii: "u")
                            else { throw error("a \\u escape holds half of a surrogate pair", field: path) }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else {
                                throw error("a \\u escape holds half of a surrogate pair", field: path)
                            }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw error("a \\u escape holds half of a surrogate pair", field: path)
                        }
                        guard scalar != 0 else { throw error("text must not contain a NUL character", field: path) }
                        guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                        out.append(contentsOf: Array(String(Character(unicode)).utf8))
                    default: throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
                    }
                case 0..<0x20:
                    throw error("a control character must be escaped inside a string", field: path)
                default:
                    out.append(byte)
                }
            }
        }

        mutating func hex4() throws(StrictJSONError) -> UInt32 {
            guard let value = JSONEscape.hex4(bytes, at: index) else {
                throw error("a \\u escape needs four hex digits")
            }
            index += 4
            return value
        }

        mutating func number(path: String) throws(StrictJSONError) -> String {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            func digits(_ parser: inout Parser) -> Int {
                let from = parser.index
                while let byte = parser.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    parser.index += 1
                }
                return parser.index - from
            }
            let integerStart = index
            let integerDigits = digits(&self)
            guard integerDigits > 0 else { throw error("invalid number") }
            if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
                throw error("a number must not have a leading zero", field: path)
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits(&self) > 0 else { throw error("invalid number (digits must follow '.')") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits(&self) > 0 else { throw error("invalid number (digits must follow the exponent)") }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard text.utf8.count <= 64 else { throw error("a number is longer than 64 characters", field: path) }
            guard let value = Double(text), value.isFinite else {
                throw error("the number is out of range", field: path)
            }
            if value == 0 && text.hasPrefix("-") { throw error("-0 is not a number this API takes", field: path) }
            return text
        }
    }
}
