import Foundation
import JSONNodes
import TextCodecs

/// A fast path for decoding stored events (and projections' fold states, JSON `JSONEncoder` wrote with
/// `.iso8601` dates, which `FoldingProjection.loadStates` reads through it): the JSON is scanned once into `JSONDocument`'s flat list of
/// nodes (byte ranges, no strings made), and `Decodable` types read their fields straight from it, an
/// object's keys compared byte by byte. `JSONDecoder` builds a dictionary of `String` keys for every
/// object it decodes; over a rebuild's million events that was the largest single cost of decoding them.
///
/// It accepts less than `JSONDecoder`, never more: anything it is not sure of (a number that is not a
/// plain integer for an integer field, `Data`, `URL` or `Decimal` fields, a `superDecoder`, a missing
/// key, a string that is not UTF-8 or holds a lone surrogate) throws, and `EventDecoder` then decodes
/// the event with `JSONDecoder` (with `ClinicJSON`'s dates), so what a stored event means, and every
/// error it raises, stay exactly as they were. Dates are read as `ClinicJSON.decodeDate` reads them.
public enum StoredEventJSON {
    /// The value of type `T` in `data`, or an error (which says only that the fast path does not apply).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try data.withUnsafeBytes { raw in
            let document = try JSONDocument(scanning: raw.bindMemory(to: UInt8.self))
            return try T(from: NodeDecoder(document: document, node: document.root))
        }
    }

    /// The value of a type with a hand-written decoder (`NodeDecodable`) in `data`, or an error (which says only
    /// that the fast path does not apply).
    static func decodeByHand<T: NodeDecodable>(_ type: T.Type, from data: Data) throws -> T {
        try data.withUnsafeBytes { raw in
            let document = try JSONDocument(scanning: raw.bindMemory(to: UInt8.self))
            return try T(document: document, node: document.root)
        }
    }

    /// Why the fast path does not apply.
    struct Unsupported: Error {}

    struct NodeDecoder: Decoder {
        let document: JSONDocument
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
        let document: JSONDocument
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
        let document: JSONDocument
        /// The next element's node.
        private var element: Int
        let count: Int?
        private(set) var currentIndex = 0
        var codingPath: [any CodingKey] { [] }
        var isAtEnd: Bool { currentIndex >= (count ?? 0) }

        init(document: JSONDocument, node: Int) {
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
        let document: JSONDocument
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
}

extension JSONDocument {
    fileprivate typealias Unsupported = StoredEventJSON.Unsupported

    func fixedWidth<I: FixedWidthInteger>(_ index: Int, as type: I.Type) throws -> I {
        guard let value = I(exactly: try integer(index)) else { throw Unsupported() }
        return value
    }

    /// The date of the string at `index`: the stored form read from its bytes (no `String` made), anything
    /// else as `ClinicJSON.decodeDate` reads it.
    func date(_ index: Int) throws -> Date? {
        let node = nodes[index]
        if node.kind == .string, !node.flag,
            let date = ISO8601Timestamp.parseCanonical(UnsafeBufferPointer(rebasing: bytes[node.start..<node.end]))
        {
            return date
        }
        return ISO8601Timestamp.parse(try string(index))
    }

    /// `value` as a `T`, which it is. A function of its own so that the `Optional<T>` the cast makes is looked up
    /// (at run time: `T` is generic) only for the dates and strings it is called with; inside `decode` the
    /// lookup was hoisted to its entry, once per field of every event.
    @inline(never)
    fileprivate func cast<T>(_ value: Any, to type: T.Type) throws -> T {
        guard let value = value as? T else { throw Unsupported() }
        return value
    }

    /// Decodes a value of any type from the node at `index`.
    func decode<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        if T.self == Date.self {
            guard let date = try self.date(index) else { throw Unsupported() }
            return try cast(date, to: type)
        }
        if T.self == String.self { return try cast(try string(index), to: type) }
        // An id: parsed from the bytes (`UUID.init(from:)` made a `String` and parsed it with `sscanf`); anything
        // but the canonical form goes the `Decodable` way, which refuses it as it did.
        if T.self == UUID.self, nodes[index].kind == .string, !nodes[index].flag,
            let uuid = UUIDText.parse(UnsafeBufferPointer(rebasing: bytes[nodes[index].start..<nodes[index].end]))
        {
            return try cast(UUID(uuid: uuid), to: type)
        }
        if T.self == Data.self || T.self == URL.self || T.self == Decimal.self { throw Unsupported() }
        return try T(from: StoredEventJSON.NodeDecoder(document: self, node: index))
    }
}
