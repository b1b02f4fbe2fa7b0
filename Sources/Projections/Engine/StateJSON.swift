import Foundation

/// Writes a fold state as JSON straight into bytes, for its `json` column: `JSONEncoder` builds a tree
/// of every value first, then sorts and writes it, and that was the largest cost of writing a rebuild's
/// states (each once, when its stream ends in a rebuild).
///
/// The text holds the values `JSONEncoder` with `.iso8601` dates writes (numbers as it writes them,
/// dates as `ISO8601Text.appendSeconds`), keys in the order the state encodes them (the `json` column keeps
/// the text as written; both decoders read any key order). Anything it is not sure of (`Data`, `URL` or
/// `Decimal` values, a non-finite number, a `superEncoder`, containers not written one inside the other) throws,
/// and `FoldingProjection.saveStates` then uses `JSONEncoder` for that state.
enum StateJSON {
    /// Why the fast path does not apply.
    struct Unsupported: Error {}

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let writer = Writer()
        try writer.value(value, slot: writer.newSlot())
        writer.close(downTo: 0)
        guard !writer.failed, writer.pendingSlot == nil else { throw Unsupported() }
        return writer.text.data
    }

    /// The text so far and the containers open in it, innermost last.
    final class Writer {
        /// The text so far (`JSONBytes` spells each value).
        var text = JSONBytes(capacity: 512)
        /// Open containers: whether an object, how many members so far, and an identity.
        private var open: [(object: Bool, count: Int, id: Int)] = []
        private var nextID = 0
        /// The slot waiting for its value (after a key, or in an array), if any.
        var pendingSlot: Int?
        var failed = false

        func newSlot() -> Int {
            nextID += 1
            pendingSlot = nextID
            return nextID
        }

        /// Closes the containers deeper than `depth`.
        func close(downTo depth: Int) {
            while open.count > depth {
                let container = open.removeLast()
                text.append(container.object ? UInt8(ascii: "}") : UInt8(ascii: "]"))
            }
        }

        /// Makes room for the next member of the container `id` at `depth`: closes what is open inside
        /// it and writes the comma; false when that container is closed (written out of order).
        func nextMember(depth: Int, id: Int) -> Bool {
            guard !failed, pendingSlot == nil, depth < open.count, open[depth].id == id else {
                failed = true
                return false
            }
            close(downTo: depth + 1)
            if open[depth].count > 0 { text.append(UInt8(ascii: ",")) }
            open[depth].count += 1
            return true
        }

        /// Opens a container in the pending slot `slot`; returns its depth and identity.
        func openContainer(object: Bool, slot: Int) -> (depth: Int, id: Int) {
            if pendingSlot != slot { failed = true }
            pendingSlot = nil
            nextID += 1
            text.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
            open.append((object, 0, nextID))
            return (open.count - 1, nextID)
        }

        /// Takes the pending slot `slot` for a single value.
        func fill(_ slot: Int) throws {
            guard !failed, pendingSlot == slot else {
                failed = true
                throw Unsupported()
            }
            pendingSlot = nil
        }

        func key(_ key: String) {
            text.string(key)
            text.append(UInt8(ascii: ":"))
        }

        func string(_ value: String) { text.string(value) }

        func plain(_ value: String) { text.plain(value) }

        func double(_ value: Double) throws {
            guard value.isFinite else { throw Unsupported() }
            text.number(value)
        }

        func float(_ value: Float) throws {
            guard value.isFinite else { throw Unsupported() }
            text.number(value)
        }

        /// Writes `value` into the pending slot `slot`.
        func value<T: Encodable>(_ value: T, slot: Int) throws {
            switch value {
            case let date as Date:
                try fill(slot)
                text.date(date)
            case let value as String:
                try fill(slot)
                string(value)
            case is Data, is URL, is Decimal:
                throw Unsupported()
            case let dictionary as any StringKeyedMembers:
                try dictionary.writeMembers(to: self, slot: slot)
            default:
                try value.encode(to: ValueEncoder(writer: self, slot: slot))
                // A value that wrote nothing (`JSONEncoder` would write `{}`), or a failed container.
                guard !failed, pendingSlot != slot else { throw Unsupported() }
            }
        }
    }

    struct ValueEncoder: Encoder {
        let writer: Writer
        let slot: Int
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            let (depth, id) = writer.openContainer(object: true, slot: slot)
            return KeyedEncodingContainer(Keyed<Key>(writer: writer, depth: depth, id: id))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            let (depth, id) = writer.openContainer(object: false, slot: slot)
            return Unkeyed(writer: writer, depth: depth, id: id)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            Single(writer: writer, slot: slot)
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let writer: Writer
        let depth: Int
        let id: Int
        var codingPath: [any CodingKey] { [] }

        /// Writes the key and returns the slot for its value.
        private func member(_ key: Key) throws -> Int {
            guard writer.nextMember(depth: depth, id: id) else { throw Unsupported() }
            writer.key(key.stringValue)
            return writer.newSlot()
        }

        mutating func encodeNil(forKey key: Key) throws {
            try writer.fill(try member(key))
            writer.plain("null")
        }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            try writer.fill(try member(key))
            writer.plain(value ? "true" : "false")
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            try writer.fill(try member(key))
            writer.string(value)
        }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            try writer.fill(try member(key))
            try writer.double(value)
        }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            try writer.fill(try member(key))
            try writer.float(value)
        }
        mutating func encode(_ value: Int, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try writer.value(value, slot: try member(key))
        }

        private func integer(_ value: some FixedWidthInteger, _ key: Key) throws {
            try writer.fill(try member(key))
            writer.plain(String(value))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let slot = (try? member(key)) ?? 0
            return ValueEncoder(writer: writer, slot: slot).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let slot = (try? member(key)) ?? 0
            return ValueEncoder(writer: writer, slot: slot).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            writer.failed = true
            return ValueEncoder(writer: writer, slot: 0)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder() }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let writer: Writer
        let depth: Int
        let id: Int
        private(set) var count = 0
        var codingPath: [any CodingKey] { [] }

        init(writer: Writer, depth: Int, id: Int) {
            self.writer = writer
            self.depth = depth
            self.id = id
        }

        /// Makes room for the next element and returns its slot.
        private mutating func element() throws -> Int {
            guard writer.nextMember(depth: depth, id: id) else { throw Unsupported() }
            count += 1
            return writer.newSlot()
        }

        mutating func encodeNil() throws {
            try writer.fill(try element())
            writer.plain("null")
        }
        mutating func encode(_ value: Bool) throws {
            try writer.fill(try element())
            writer.plain(value ? "true" : "false")
        }
        mutating func encode(_ value: String) throws {
            try writer.fill(try element())
            writer.string(value)
        }
        mutating func encode(_ value: Double) throws {
            try writer.fill(try element())
            try writer.double(value)
        }
        mutating func encode(_ value: Float) throws {
            try writer.fill(try element())
            try writer.float(value)
        }
        mutating func encode(_ value: Int) throws { try integer(value) }
        mutating func encode(_ value: Int8) throws { try integer(value) }
        mutating func encode(_ value: Int16) throws { try integer(value) }
        mutating func encode(_ value: Int32) throws { try integer(value) }
        mutating func encode(_ value: Int64) throws { try integer(value) }
        mutating func encode(_ value: UInt) throws { try integer(value) }
        mutating func encode(_ value: UInt8) throws { try integer(value) }
        mutating func encode(_ value: UInt16) throws { try integer(value) }
        mutating func encode(_ value: UInt32) throws { try integer(value) }
        mutating func encode(_ value: UInt64) throws { try integer(value) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try writer.value(value, slot: try element())
        }

        private mutating func integer(_ value: some FixedWidthInteger) throws {
            try writer.fill(try element())
            writer.plain(String(value))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let slot = (try? element()) ?? 0
            return ValueEncoder(writer: writer, slot: slot).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let slot = (try? element()) ?? 0
            return ValueEncoder(writer: writer, slot: slot).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            writer.failed = true
            return ValueEncoder(writer: writer, slot: 0)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let writer: Writer
        let slot: Int
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws {
            try writer.fill(slot)
            writer.plain("null")
        }
        mutating func encode(_ value: Bool) throws {
            try writer.fill(slot)
            writer.plain(value ? "true" : "false")
        }
        mutating func encode(_ value: String) throws {
            try writer.fill(slot)
            writer.string(value)
        }
        mutating func encode(_ value: Double) throws {
            try writer.fill(slot)
            try writer.double(value)
        }
        mutating func encode(_ value: Float) throws {
            try writer.fill(slot)
            try writer.float(value)
        }
        mutating func encode(_ value: Int) throws { try integer(value) }
        mutating func encode(_ value: Int8) throws { try integer(value) }
        mutating func encode(_ value: Int16) throws { try integer(value) }
        mutating func encode(_ value: Int32) throws { try integer(value) }
        mutating func encode(_ value: Int64) throws { try integer(value) }
        mutating func encode(_ value: UInt) throws { try integer(value) }
        mutating func encode(_ value: UInt8) throws { try integer(value) }
        mutating func encode(_ value: UInt16) throws { try integer(value) }
        mutating func encode(_ value: UInt32) throws { try integer(value) }
        mutating func encode(_ value: UInt64) throws { try integer(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try writer.value(value, slot: slot) }

        private func integer(_ value: some FixedWidthInteger) throws {
            try writer.fill(slot)
            writer.plain(String(value))
        }
    }
}

/// A dictionary keyed by strings, which `StateJSON` writes member by member: `Dictionary`'s own
/// `encode(to:)` wraps every key in a coding key and writes through boxed generic containers (at 1M
/// events it was ~6 % of a rebuild's client samples, encoding evicted states).
protocol StringKeyedMembers {
    /// Writes the dictionary as a JSON object into the writer's pending slot `slot`.
    func writeMembers(to writer: StateJSON.Writer, slot: Int) throws
}

extension Dictionary: StringKeyedMembers where Key == String, Value: Encodable {
    func writeMembers(to writer: StateJSON.Writer, slot: Int) throws {
        let (depth, id) = writer.openContainer(object: true, slot: slot)
        for (key, value) in self {
            guard writer.nextMember(depth: depth, id: id) else { throw StateJSON.Unsupported() }
            writer.key(key)
            try writer.value(value, slot: writer.newSlot())
        }
    }
}
