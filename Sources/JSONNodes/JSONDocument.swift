/// JSON text scanned once into a flat list of `JSONNode`s (byte ranges: no strings, dictionaries or
/// values are made), and read from there: a member looked up by comparing its key's bytes, a string,
/// number or bool made only when asked for.
///
/// The one scanner of stored JSON in Stipple: events decode from it (`Clinic`'s fast path), the vault
/// finds and replaces personal members and reads sealed envelopes with it (`EventStore`). Request
/// bodies from outside go through `StrictJSON` instead, whose job is to refuse and name what is wrong.
///
/// The grammar is RFC 8259's (any whitespace around tokens, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
/// numbers, escapes checked); it does not check UTF-8 (text from PostgreSQL is UTF-8) or duplicate keys
/// (`member` finds the first).
///
/// The document borrows `bytes`: use it only while they live (inside the `withUnsafeBytes` that gave them).
public final class JSONDocument {
    public let bytes: UnsafeBufferPointer<UInt8>
    public let nodes: [JSONNode]

    /// Scans `bytes` as one JSON value; nesting deeper than `maximumDepth` is refused.
    public init(scanning bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int = 64) throws(JSONNodeError) {
        var scanner = Scanner(bytes: bytes, maximumDepth: maximumDepth)
        nodes = try scanner.scanDocument()
        self.bytes = bytes
    }

    /// The root value's node.
    public var root: Int { 0 }

    private func mismatch(_ index: Int, _ reason: String) -> JSONNodeError {
        JSONNodeError(offset: nodes[index].start, reason: reason)
    }

    // MARK: - Values

    /// The text of the string at `index`, escapes decoded; an error if it is not a string or not UTF-8.
    public func string(_ index: Int) throws(JSONNodeError) -> String {
        let node = nodes[index]
        guard node.kind == .string else { throw mismatch(index, "not a string") }
        let raw = UnsafeBufferPointer(rebasing: bytes[node.start..<node.end])
        if !node.flag {
            // ASCII (nearly every stored string: ids, enum names, dates) is UTF-8 as it stands: made without
            // `String(validating:)`, whose generic validation instantiated type metadata per string.
            if raw.allSatisfy({ $0 < 0x80 }) { return String(decoding: raw, as: UTF8.self) }
            if let text = String(validating: raw, as: UTF8.self) { return text }
        }
        guard node.flag, let text = Self.unescaped(raw) else { throw mismatch(index, "not a UTF-8 string") }
        return text
    }

    public func bool(_ index: Int) throws(JSONNodeError) -> Bool {
        guard nodes[index].kind == .bool else { throw mismatch(index, "not a bool") }
        return nodes[index].flag
    }

    public func isNull(_ index: Int) -> Bool { nodes[index].kind == .null }

    /// A plain integer (`-?[0-9]+`, no fraction or exponent) that fits in `Int64`.
    public func integer(_ index: Int) throws(JSONNodeError) -> Int64 {
        let node = nodes[index]
        guard node.kind == .number, !node.flag else { throw mismatch(index, "not a plain integer") }
        var position = node.start
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var value: Int64 = 0
        while position < node.end {
            let digit = Int64(bytes[position] &- 48)
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) =
                negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflowTimes, !overflowSum else { throw mismatch(index, "an integer beyond 64 bits") }
            value = sum
            position += 1
        }
        return value
    }

    /// A number as a finite `Double`.
    public func double(_ index: Int) throws(JSONNodeError) -> Double {
        let node = nodes[index]
        guard node.kind == .number,
            let value = Double(
                String(decoding: UnsafeBufferPointer(rebasing: bytes[node.start..<node.end]), as: UTF8.self)),
            value.isFinite
        else { throw mismatch(index, "not a finite number") }
        return value
    }

    // MARK: - Objects

    /// The value node of the first member named `key` in the object at `index`, or nil when it has none
    /// (or the node is not an object).
    public func member(_ key: String, in index: Int) -> Int? {
        var key = key
        return key.withUTF8 { member(utf8: $0, in: index) }
    }

    /// `member(_:in:)` for a key's UTF-8 bytes.
    public func member(utf8 wanted: UnsafeBufferPointer<UInt8>, in index: Int) -> Int? {
        guard nodes[index].kind == .object else { return nil }
        var child = index + 1
        for _ in 0..<nodes[index].count {
            if keyEquals(child, wanted) { return child + 1 }
            child = nodes[child + 1].next
        }
        return nil
    }

    /// The members of the object at `index` in document order: each key's node and its value's node.
    public func members(of index: Int) -> [(key: Int, value: Int)] {
        guard nodes[index].kind == .object else { return [] }
        var result: [(key: Int, value: Int)] = []
        result.reserveCapacity(nodes[index].count)
        var child = index + 1
        for _ in 0..<nodes[index].count {
            result.append((child, child + 1))
            child = nodes[child + 1].next
        }
        return result
    }

    /// Whether the key (string) node at `index` is exactly `wanted`, compared as bytes (a key with an
    /// escape is compared by its text).
    private func keyEquals(_ index: Int, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        let node = nodes[index]
        if node.flag {
            guard let text = try? string(index) else { return false }
            return text.utf8.elementsEqual(wanted)
        }
        guard node.end - node.start == wanted.count else { return false }
        var offset = 0
        while offset < wanted.count {
            guard bytes[node.start + offset] == wanted[offset] else { return false }
            offset += 1
        }
        return true
    }

    // MARK: - Escapes

    /// The text of a string's bytes (between its quotes) with its escapes decoded; nil for a lone
    /// surrogate or bytes that are not UTF-8.
    static func unescaped(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.count else { return nil }
            let escape = raw[index + 1]
            index += 2
            if let byte = JSONEscape.simple(escape) {
                out.append(byte)
                continue
            }
            guard escape == UInt8(ascii: "u"), var scalar = JSONEscape.hex4(raw, at: index) else { return nil }
            index += 4
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u"),
                    let low = JSONEscape.hex4(raw, at: index + 2), (0xDC00..<0xE000).contains(low)
                else { return nil }
                index += 6
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { return nil }
            out.append(contentsOf: String(Character(unicode)).utf8)
        }
        return String(validating: out, as: UTF8.self)
    }

    // MARK: - Scanning

    /// Scans JSON text into nodes, in document order; refuses anything that is not JSON.
    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        let maximumDepth: Int
        var position = 0
        var nodes: [JSONNode] = []

        init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
            nodes.reserveCapacity(bytes.count / 12)
        }

        func error(_ reason: String) -> JSONNodeError { JSONNodeError(offset: position, reason: reason) }

        mutating func scanDocument() throws(JSONNodeError) -> [JSONNode] {
            guard bytes.count < Int(Int32.max) else { throw error("a document of 2 GiB or more") }
            try value(depth: 0)
            skipSpace()
            guard position == bytes.count else { throw error("text after the value") }
            return nodes
        }

        private mutating func skipSpace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return
                }
            }
        }

        private mutating func value(depth: Int) throws(JSONNodeError) {
            guard depth < maximumDepth else { throw error("nested deeper than \(maximumDepth)") }
            skipSpace()
            guard position < bytes.count else { throw error("a value is missing") }
            switch bytes[position] {
            case UInt8(ascii: "{"): try container(object: true, depth: depth)
            case UInt8(ascii: "["): try container(object: false, depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true", .bool, flag: true)
            case UInt8(ascii: "f"): try literal("false", .bool, flag: false)
            case UInt8(ascii: "n"): try literal("null", .null, flag: false)
            default: try number()
            }
        }

        private mutating func container(object: Bool, depth: Int) throws(JSONNodeError) {
            let index = nodes.count
            nodes.append(
                JSONNode(kind: object ? .object : .array, flag: false, start: position, end: 0, next: 0, count: 0))
            position += 1
            let close = UInt8(ascii: object ? "}" : "]")
            var count = 0
            skipSpace()
            if position < bytes.count, bytes[position] == close {
                position += 1
            } else {
                while true {
                    if object {
                        skipSpace()
                        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                            throw error("a key is missing")
                        }
                        try string()
                        skipSpace()
                        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                            throw error("a ':' is missing")
                        }
                        position += 1
                    }
                    try value(depth: depth + 1)
                    count += 1
                    skipSpace()
                    guard position < bytes.count else { throw error("the text ends inside a value") }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    guard bytes[position] == close else { throw error("a ',' or closing bracket is missing") }
                    position += 1
                    break
                }
            }
            nodes[index].close(end: position, next: nodes.count, count: count)
        }

        private mutating func string() throws(JSONNodeError) {
            position += 1
            let start = position
            var escaped = false
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    nodes.append(
                        JSONNode(
                            kind: .string, flag: escaped, start: start, end: position, next: nodes.count + 1, count: 0))
                    position += 1
                    return
                }
                guard byte >= 0x20 else { throw error("a control character in a string") }
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    guard position + 1 < bytes.count else { break }
                    if JSONEscape.simple(bytes[position + 1]) != nil {
                        position += 2
                    } else if bytes[position + 1] == UInt8(ascii: "u") {
                        guard JSONEscape.hex4(bytes, at: position + 2) != nil else {
                            throw error("a \\u escape without four hex digits")
                        }
                        position += 6
                    } else {
                        throw error("an unknown escape")
                    }
                    continue
                }
                position += 1
            }
            throw error("a string is not closed")
        }

        private mutating func literal(_ word: StaticString, _ kind: JSONNode.Kind, flag: Bool) throws(JSONNodeError) {
            let length = word.utf8CodeUnitCount
            guard position + length <= bytes.count else { throw error("not a JSON value") }
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: length)
            for offset in 0..<length where bytes[position + offset] != expected[offset] {
                throw error("not a JSON value")
            }
            nodes.append(
                JSONNode(
                    kind: kind, flag: flag, start: position, end: position + length, next: nodes.count + 1, count: 0))
            position += length
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
        private mutating func number() throws(JSONNodeError) {
            let start = position
            var fractional = false
            func digits() throws(JSONNodeError) {
                let first = position
                while position < bytes.count, (48...57).contains(bytes[position]) { position += 1 }
                guard position > first else { throw error("not a JSON value") }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count else { throw error("not a JSON value") }
            if bytes[position] == 48 {
                position += 1
            } else {
                try digits()
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                fractional = true
                position += 1
                try digits()
            }
            if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
                fractional = true
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
                {
                    position += 1
                }
                try digits()
            }
            nodes.append(
                JSONNode(kind: .number, flag: fractional, start: start, end: position, next: nodes.count + 1, count: 0))
        }
    }
}
