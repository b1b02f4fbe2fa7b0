import Foundation

/// A fast path for decoding stored events: the JSON is scanned once into a flat list of nodes (byte
/// ranges, no strings made), and `Decodable` types read their fields straight from it, an object's keys
/// compared byte by byte. `JSONDecoder` builds a dictionary of `String` keys for every object it
/// decodes; over a rebuild's million events that was the largest single cost of decoding them.
///
/// It accepts less than `JSONDecoder`, never more: a document with an escaped string (rare: PostgreSQL
/// prints `jsonb` text with raw UTF-8) and anything it is not sure of (a number that is not a plain
/// integer for an integer field, `Data`, `URL` or `Decimal` fields, a `superDecoder`, a missing key)
/// throw, and `EventDecoder` then decodes the event with `JSONDecoder` (with
/// `ClinicJSON`'s dates), so what a stored event means, and every error it raises, stay exactly as they
/// were. Dates are read as `ClinicJSON.decodeDate` reads them.
enum StoredEventJSON {
    /// The value of type `T` in `data`, or an error (which says only that the fast path does not apply).
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var scanner = Scanner(bytes: bytes)
            let nodes = try scanner.scanDocument()
            let document = Document(bytes: bytes, nodes: nodes)
            return try T(from: NodeDecoder(document: document, node: 0))
        }
    }

    /// Why the fast path does not apply.
    struct Unsupported: Error {}

    /// One JSON value: its kind, its bytes and, for an object or array, its extent in the node list.
    struct Node {
        enum Kind: UInt8 { case object, array, string, number, bool, null }
        var kind: Kind
        /// For a bool: its value. For a number: whether it has a fraction or an exponent.
        var flag: Bool
        /// The value's bytes (a string's without its quotes).
        var start: Int {
            get { Int(start32) }
            set { start32 = Int32(truncatingIfNeeded: newValue) }
        }
        var end: Int {
            get { Int(end32) }
            set { end32 = Int32(truncatingIfNeeded: newValue) }
        }
        /// The index of the node after this value and everything inside it.
        var next: Int {
            get { Int(next32) }
            set { next32 = Int32(truncatingIfNeeded: newValue) }
        }
        /// For an object, its members (a key node then a value node each); for an array, its elements.
        var count: Int {
            get { Int(count32) }
            set { count32 = Int32(truncatingIfNeeded: newValue) }
        }
        // Stored in 32 bits (a document is refused from 2 GiB): a node is 20 bytes, not 40.
        private var start32: Int32
        private var end32: Int32
        private var next32: Int32
        private var count32: Int32

        init(kind: Kind, flag: Bool, start: Int, end: Int, next: Int, count: Int) {
            self.kind = kind
            self.flag = flag
            start32 = Int32(truncatingIfNeeded: start)
            end32 = Int32(truncatingIfNeeded: end)
            next32 = Int32(truncatingIfNeeded: next)
            count32 = Int32(truncatingIfNeeded: count)
        }
    }

    /// The scanned document; it lives only while `decode` runs (its bytes are borrowed).
    final class Document {
        let bytes: UnsafeBufferPointer<UInt8>
        let nodes: [Node]

        init(bytes: UnsafeBufferPointer<UInt8>, nodes: [Node]) {
            self.bytes = bytes
            self.nodes = nodes
        }

        func string(_ index: Int) throws -> String {
            let node = nodes[index]
            guard node.kind == .string,
                let text = String(
                    validating: UnsafeBufferPointer(rebasing: bytes[node.start..<node.end]), as: UTF8.self)
            else { throw Unsupported() }
            return text
        }

        func bool(_ index: Int) throws -> Bool {
            let node = nodes[index]
            guard node.kind == .bool else { throw Unsupported() }
            return node.flag
        }

        func isNull(_ index: Int) -> Bool { nodes[index].kind == .null }

        /// A plain integer (`-?[0-9]+`) that fits in `Int64`.
        func integer(_ index: Int) throws -> Int64 {
            let node = nodes[index]
            guard node.kind == .number, !node.flag else { throw Unsupported() }
            var position = node.start
            let negative = bytes[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            var value: Int64 = 0
            while position < node.end {
                let digit = Int64(bytes[position] &- 48)
                let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflowSum) =
                    negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
                guard !overflowTimes, !overflowSum else { throw Unsupported() }
                value = sum
                position += 1
            }
            return value
        }

        func double(_ index: Int) throws -> Double {
            let node = nodes[index]
            guard node.kind == .number,
                let value = Double(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[node.start..<node.end]), as: UTF8.self)),
                value.isFinite
            else { throw Unsupported() }
            return value
        }

        func fixedWidth<I: FixedWidthInteger>(_ index: Int, as type: I.Type) throws -> I {
            guard let value = I(exactly: try integer(index)) else { throw Unsupported() }
            return value
        }

        /// The value node of `key` in the object at `index`, or nil when the object has no such key.
        func member(_ key: String, in index: Int) -> Int? {
            let object = nodes[index]
            var child = index + 1
            var remaining = object.count
            var key = key
            return key.withUTF8 { wanted in
                while remaining > 0 {
                    let name = nodes[child]
                    if name.end - name.start == wanted.count, equal(name.start, wanted) { return child + 1 }
                    child = nodes[child + 1].next
                    remaining -= 1
                }
                return nil
            }
        }

        /// Whether the bytes from `start` are `wanted`.
        private func equal(_ start: Int, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
            var offset = 0
            while offset < wanted.count {
                guard bytes[start + offset] == wanted[offset] else { return false }
                offset += 1
            }
            return true
        }

        /// Decodes a value of any type from the node at `index`.
        func decode<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
            if T.self == Date.self {
                guard let date = ISO8601Timestamp.parse(try string(index)) as? T else { throw Unsupported() }
                return date
            }
            if T.self == String.self, let text = try string(index) as? T { return text }
            if T.self == Data.self || T.self == URL.self || T.self == Decimal.self { throw Unsupported() }
            return try T(from: NodeDecoder(document: self, node: index))
        }
    }

    struct NodeDecoder: Decoder {
        let document: Document
        let node: Int
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            guard document.nodes[node].kind == .object else { throw Unsupported() }
            return KeyedDecodingContainer(Keyed<Key>(document: document, node: node))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard document.nodes[node].kind == .array else { throw Unsupported() }
            return Unkeyed(document: document, node: node)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            Single(document: document, node: node)
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let document: Document
        let node: Int
        var codingPath: [any CodingKey] { [] }

        var allKeys: [Key] {
            var keys: [Key] = []
            var child = node + 1
            for _ in 0..<document.nodes[node].count {
                if let name = try? document.string(child), let key = Key(stringValue: name) { keys.append(key) }
                child = document.nodes[child + 1].next
            }
            return keys
        }

        func contains(_ key: Key) -> Bool { document.member(key.stringValue, in: node) != nil }

        private func value(_ key: Key) throws -> Int {
            guard let index = document.member(key.stringValue, in: node) else { throw Unsupported() }
            return index
        }

        func decodeNil(forKey key: Key) throws -> Bool { document.isNull(try value(key)) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try document.bool(try value(key)) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try document.string(try value(key)) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try document.double(try value(key)) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
            guard let value = Float(exactly: try document.double(try value(key))) else { throw Unsupported() }
            return value
        }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
            try document.fixedWidth(try value(key), as: type)
        }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
            try document.fixedWidth(try value(key), as: type)
        }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
            try document.fixedWidth(try value(key), as: type)
        }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
            try document.fixedWidth(try value(key), as: type)
        }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try document.integer(try value(key)) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
            try document.fixedWidth(try value(key), as: type)
        }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
            try document.fixedWidth(try value(key), as: type)
        }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
            try document.fixedWidth(try value(key), as: type)
        }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
            try document.fixedWidth(try value(key), as: type)
        }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
            try document.fixedWidth(try value(key), as: type)
        }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try document.decode(type, at: try value(key))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try NodeDecoder(document: document, node: try value(key)).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try NodeDecoder(document: document, node: try value(key)).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { throw Unsupported() }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw Unsupported() }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let document: Document
        /// The next element's node.
        private var element: Int
        let count: Int?
        private(set) var currentIndex = 0
        var codingPath: [any CodingKey] { [] }
        var isAtEnd: Bool { currentIndex >= (count ?? 0) }

        init(document: Document, node: Int) {
            self.document = document
            self.element = node + 1
            self.count = document.nodes[node].count
        }

        /// The next element's node, moving past it.
        private mutating func take() throws -> Int {
            guard !isAtEnd else { throw Unsupported() }
            let index = element
            element = document.nodes[index].next
            currentIndex += 1
            return index
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else { throw Unsupported() }
            guard document.isNull(element) else { return false }
            _ = try take()
            return true
        }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try document.bool(try take()) }
        mutating func decode(_ type: String.Type) throws -> String { try document.string(try take()) }
        mutating func decode(_ type: Double.Type) throws -> Double { try document.double(try take()) }
        mutating func decode(_ type: Float.Type) throws -> Float {
            guard let value = Float(exactly: try document.double(try take())) else { throw Unsupported() }
            return value
        }
        mutating func decode(_ type: Int.Type) throws -> Int { try document.fixedWidth(try take(), as: type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try document.fixedWidth(try take(), as: type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try document.fixedWidth(try take(), as: type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try document.fixedWidth(try take(), as: type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try document.integer(try take()) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try document.fixedWidth(try take(), as: type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try document.fixedWidth(try take(), as: type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try document.fixedWidth(try take(), as: type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try document.fixedWidth(try take(), as: type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try document.fixedWidth(try take(), as: type) }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let index = try take()
            return try document.decode(type, at: index)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try NodeDecoder(document: document, node: try take()).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try NodeDecoder(document: document, node: try take()).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder { throw Unsupported() }
    }

    struct Single: SingleValueDecodingContainer {
        let document: Document
        let node: Int
        var codingPath: [any CodingKey] { [] }

        func decodeNil() -> Bool { document.isNull(node) }
        func decode(_ type: Bool.Type) throws -> Bool { try document.bool(node) }
        func decode(_ type: String.Type) throws -> String { try document.string(node) }
        func decode(_ type: Double.Type) throws -> Double { try document.double(node) }
        func decode(_ type: Float.Type) throws -> Float {
            guard let value = Float(exactly: try document.double(node)) else { throw Unsupported() }
            return value
        }
        func decode(_ type: Int.Type) throws -> Int { try document.fixedWidth(node, as: type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try document.fixedWidth(node, as: type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try document.fixedWidth(node, as: type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try document.fixedWidth(node, as: type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try document.integer(node) }
        func decode(_ type: UInt.Type) throws -> UInt { try document.fixedWidth(node, as: type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try document.fixedWidth(node, as: type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try document.fixedWidth(node, as: type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try document.fixedWidth(node, as: type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try document.fixedWidth(node, as: type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.decode(type, at: node) }
    }

    /// Scans JSON text into nodes, in document order; refuses anything that is not JSON.
    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        var nodes: [Node] = []

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            nodes.reserveCapacity(bytes.count / 12)
        }

        mutating func scanDocument() throws -> [Node] {
            guard bytes.count < Int(Int32.max) else { throw Unsupported() }
            try value(depth: 0)
            skipSpace()
            guard position == bytes.count else { throw Unsupported() }
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

        private mutating func value(depth: Int) throws {
            guard depth < 64 else { throw Unsupported() }
            skipSpace()
            guard position < bytes.count else { throw Unsupported() }
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

        private mutating func container(object: Bool, depth: Int) throws {
            let index = nodes.count
            nodes.append(
                Node(kind: object ? .object : .array, flag: false, start: position, end: 0, next: 0, count: 0))
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
                        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw Unsupported() }
                        try string()
                        skipSpace()
                        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw Unsupported() }
                        position += 1
                    }
                    try value(depth: depth + 1)
                    count += 1
                    skipSpace()
                    guard position < bytes.count else { throw Unsupported() }
                    if bytes[position] == UInt8(ascii: ",") {
                        position += 1
                        continue
                    }
                    guard bytes[position] == close else { throw Unsupported() }
                    position += 1
                    break
                }
            }
            nodes[index].end = position
            nodes[index].next = nodes.count
            nodes[index].count = count
        }

        private mutating func string() throws {
            position += 1
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    nodes.append(
                        Node(
                            kind: .string, flag: false, start: start, end: position, next: nodes.count + 1, count: 0))
                    position += 1
                    return
                }
                // An escape: `JSONDecoder` reads this document (see the type's note).
                guard byte != UInt8(ascii: "\\") else { throw Unsupported() }
                guard byte >= 0x20 else { throw Unsupported() }
                position += 1
            }
            throw Unsupported()
        }

        private mutating func literal(_ word: StaticString, _ kind: Node.Kind, flag: Bool) throws {
            let length = word.utf8CodeUnitCount
            guard position + length <= bytes.count else { throw Unsupported() }
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: length)
            for offset in 0..<length where bytes[position + offset] != expected[offset] { throw Unsupported() }
            nodes.append(
                Node(kind: kind, flag: flag, start: position, end: position + length, next: nodes.count + 1, count: 0))
            position += length
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
        private mutating func number() throws {
            let start = position
            var fractional = false
            func digits() throws {
                let first = position
                while position < bytes.count, (48...57).contains(bytes[position]) { position += 1 }
                guard position > first else { throw Unsupported() }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count else { throw Unsupported() }
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
                Node(kind: .number, flag: fractional, start: start, end: position, next: nodes.count + 1, count: 0))
        }
    }
}
