import Foundation

/// A small scanner over JSON text that finds object members and objects by byte range, so personal values can
/// be replaced in place without re-encoding the rest of an event (numbers and key order stay as they were).
///
/// It expects valid JSON (the store validated it, or PostgreSQL printed it) and throws on anything else.
struct JSONMemberScanner {
    /// One `"key": value` member.
    struct Member {
        var key: String
        /// The value's bytes.
        var value: Range<Int>
    }

    /// One object, with its first key and how many members it has.
    struct Object {
        var range: Range<Int>
        var firstKey: String?
        var memberCount: Int
        /// The value range of the first member.
        var firstValue: Range<Int>?
    }

    struct Malformed: Error {}

    private let bytes: [UInt8]
    private var index = 0
    private(set) var members: [Member] = []
    private(set) var objects: [Object] = []

    /// Scans `data` and records every member and object.
    init(_ data: Data) throws {
        bytes = Array(data)
        try skipWhitespace()
        try value()
        try skipWhitespace(allowEnd: true)
        guard index == bytes.count else { throw Malformed() }
    }

    /// The bytes of `range`.
    func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }

    /// The outermost values of members named `key` (a match inside another match is left out).
    func outermostValues(of key: String) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for range in members.filter({ $0.key == key }).map(\.value).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, last.contains(range.lowerBound) { continue }
            result.append(range)
        }
        return result
    }

    // MARK: - Scanning

    private mutating func skipWhitespace(allowEnd: Bool = false) throws {
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D
                || bytes[index] == 0x09
        {
            index += 1
        }
        if !allowEnd, index >= bytes.count { throw Malformed() }
    }

    private mutating func value() throws {
        switch bytes[index] {
        case UInt8(ascii: "{"): try object()
        case UInt8(ascii: "["): try array()
        case UInt8(ascii: "\""): _ = try string()
        default:
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte == 0x20
                    || byte == 0x0A || byte == 0x0D || byte == 0x09
                {
                    break
                }
                index += 1
            }
            guard index > start else { throw Malformed() }
        }
    }

    private mutating func object() throws {
        let start = index
        index += 1
        var count = 0
        var firstKey: String?
        var firstValue: Range<Int>?
        try skipWhitespace()
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            objects.append(Object(range: start..<index, firstKey: nil, memberCount: 0, firstValue: nil))
            return
        }
        while true {
            try skipWhitespace()
            guard bytes[index] == UInt8(ascii: "\"") else { throw Malformed() }
            let key = try string()
            try skipWhitespace()
            guard bytes[index] == UInt8(ascii: ":") else { throw Malformed() }
            index += 1
            try skipWhitespace()
            let valueStart = index
            try value()
            members.append(Member(key: key, value: valueStart..<index))
            if count == 0 {
                firstKey = key
                firstValue = valueStart..<index
            }
            count += 1
            try skipWhitespace()
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw Malformed() }
            index += 1
            objects.append(Object(range: start..<index, firstKey: firstKey, memberCount: count, firstValue: firstValue))
            return
        }
    }

    private mutating func array() throws {
        index += 1
        try skipWhitespace()
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try skipWhitespace()
            try value()
            try skipWhitespace()
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw Malformed() }
            index += 1
            return
        }
    }

    /// Reads a string starting at its opening quote; returns its value (escapes decoded when present).
    private mutating func string() throws -> String {
        let start = index
        index += 1
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\"") {
                index += 1
                let raw = bytes[start..<index]
                if !escaped { return String(decoding: raw.dropFirst().dropLast(), as: UTF8.self) }
                guard let decoded = try? JSONDecoder().decode(String.self, from: Data(raw)) else { throw Malformed() }
                return decoded
            }
            index += 1
        }
        throw Malformed()
    }
}

extension Data {
    /// True when `needle` occurs in these bytes (a fast check before any parsing).
    func containsBytes(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first, count >= needle.count else { return false }
        return withUnsafeBytes { (haystack: UnsafeRawBufferPointer) -> Bool in
            let bytes = haystack.bindMemory(to: UInt8.self)
            let last = bytes.count - needle.count
            var index = 0
            while index <= last {
                if bytes[index] == first {
                    var matched = 1
                    while matched < needle.count, bytes[index + matched] == needle[matched] { matched += 1 }
                    if matched == needle.count { return true }
                }
                index += 1
            }
            return false
        }
    }
}
