import Foundation

/// Decodes a `Decodable` straight from the strict parser's tree (`JSONValue`), with `JSONDecoder`'s
/// conventions (missing keys, nulls, type mismatches as `DecodingError`s with their coding path) and the
/// clinic's: ISO-8601 times (`RFC 3339` with a zone), and numbers read from the text as sent.
///
/// Every error carries the path of the value it is about, a number an integer field cannot hold included
/// (`UnrepresentableNumber`), so a problem names its field without decoding twice.
struct JSONValueDecoder {
    /// Decodes `value` as `T`.
    func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try TreeDecoder(value: value, codingPath: []).unbox(value, as: T.self, at: [])
    }
}

/// A number in the body that the integer field it is for cannot hold: a fraction, or a whole number
/// outside the type's range.
struct UnrepresentableNumber: Error {
    /// Where it is.
    var codingPath: [any CodingKey]
    /// The number as sent.
    var text: String
    /// Whether it is whole (then it is out of range).
    var isWhole: Bool
    /// The integer type's range, as text.
    var range: (min: String, max: String)
}

/// One level of the tree: the value at `codingPath`.
private struct TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let members):
            var byKey: [String: JSONValue] = [:]
            // The strict parser refuses repeated keys; were one to come, the first would win as in `subscript`.
            for member in members where byKey[member.key] == nil { byKey[member.key] = member.value }
            return KeyedDecodingContainer(KeyedContainer<Key>(members: byKey, codingPath: codingPath))
        case .null:
            throw DecodingError.valueNotFound(
                [String: Any].self,
                .init(codingPath: codingPath, debugDescription: "Cannot get keyed decoding container -- found null"))
        default:
            throw TreeDecoder.mismatch([String: Any].self, value, at: codingPath)
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let items): return UnkeyedContainer(items: items, codingPath: codingPath)
        case .null:
            throw DecodingError.valueNotFound(
                [Any].self,
                .init(codingPath: codingPath, debugDescription: "Cannot get unkeyed decoding container -- found null"))
        default:
            throw TreeDecoder.mismatch([Any].self, value, at: codingPath)
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: value, codingPath: codingPath)
    }

    /// `value` (at `path`) as `T`: the primitives and `Date` here, everything else through its own `init(from:)`.
    func unbox<T: Decodable>(_ value: JSONValue, as type: T.Type, at path: [any CodingKey]) throws -> T {
        switch T.self {
        case is String.Type:
            guard case .string(let text) = value else { throw Self.mismatch(T.self, value, at: path) }
            return try Self.cast(text, path)
        case is Bool.Type:
            guard case .bool(let flag) = value else { throw Self.mismatch(T.self, value, at: path) }
            return try Self.cast(flag, path)
        case is Double.Type:
            return try Self.cast(try Self.floatingPoint(Double.self, value, at: path), path)
        case is Float.Type:
            return try Self.cast(try Self.floatingPoint(Float.self, value, at: path), path)
        case is Int.Type: return try Self.cast(try Self.integer(Int.self, value, at: path), path)
        case is Int8.Type: return try Self.cast(try Self.integer(Int8.self, value, at: path), path)
        case is Int16.Type: return try Self.cast(try Self.integer(Int16.self, value, at: path), path)
        case is Int32.Type: return try Self.cast(try Self.integer(Int32.self, value, at: path), path)
        case is Int64.Type: return try Self.cast(try Self.integer(Int64.self, value, at: path), path)
        case is UInt.Type: return try Self.cast(try Self.integer(UInt.self, value, at: path), path)
        case is UInt8.Type: return try Self.cast(try Self.integer(UInt8.self, value, at: path), path)
        case is UInt16.Type: return try Self.cast(try Self.integer(UInt16.self, value, at: path), path)
        case is UInt32.Type: return try Self.cast(try Self.integer(UInt32.self, value, at: path), path)
        case is UInt64.Type: return try Self.cast(try Self.integer(UInt64.self, value, at: path), path)
        case is Date.Type:
            guard case .string(let text) = value else {
                throw Self.mismatch(value == .null ? Date.self : String.self, value, at: path)
            }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            guard let date = formatter.date(from: text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path, debugDescription: "must be an ISO-8601 time like 2026-01-31T09:30:00Z"))
            }
            return try Self.cast(date, path)
        case is URL.Type:
            guard case .string(let text) = value else { throw Self.mismatch(String.self, value, at: path) }
            guard let url = URL(string: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "Invalid URL string."))
            }
            return try Self.cast(url, path)
        case is Decimal.Type:
            guard case .number(let text) = value, let decimal = Decimal(string: text) else {
                throw Self.mismatch(Decimal.self, value, at: path)
            }
            return try Self.cast(decimal, path)
        case is Data.Type:
            guard case .string(let text) = value else { throw Self.mismatch(String.self, value, at: path) }
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path, debugDescription: "Encountered Data is not valid Base64."))
            }
            return try Self.cast(data, path)
        default:
            return try T(from: TreeDecoder(value: value, codingPath: path))
        }
    }

    private static func cast<T>(_ value: Any, _ path: [any CodingKey]) throws -> T {
        guard let typed = value as? T else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "cannot be read as \(T.self)"))
        }
        return typed
    }

    private static func integer<I: FixedWidthInteger>(_ type: I.Type, _ value: JSONValue, at path: [any CodingKey])
        throws -> I
    {
        guard case .number(let text) = value else { throw mismatch(I.self, value, at: path) }
        if let exact = I(text) { return exact }
        // `1e2` and `100.0` are whole numbers, as JSONDecoder reads them.
        let double = Double(text)
        if let double, double.rounded() == double, let exact = I(exactly: double) { return exact }
        throw UnrepresentableNumber(
            codingPath: path, text: text, isWhole: double.map { $0.rounded() == $0 } ?? !text.contains("."),
            range: ("\(I.min)", "\(I.max)"))
    }

    private static func floatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(
        _ type: F.Type, _ value: JSONValue, at path: [any CodingKey]
    ) throws -> F {
        guard case .number(let text) = value else { throw mismatch(F.self, value, at: path) }
        guard let number = F(text), number.isFinite else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: path, debugDescription: "Number \(text) does not fit in \(F.self)"))
        }
        return number
    }

    /// The error for `value` where a `type` was expected: a null is a missing value, anything else a mismatch.
    static func mismatch(_ type: Any.Type, _ value: JSONValue, at path: [any CodingKey]) -> DecodingError {
        if value == .null {
            return .valueNotFound(
                type, .init(codingPath: path, debugDescription: "Cannot get value of type \(type) -- found null"))
        }
        let found =
            switch value {
            case .object: "a dictionary"
            case .array: "an array"
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            case .null: "null"
            }
        return .typeMismatch(
            type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(found) instead."))
    }
}

/// An array item's place in a coding path.
private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// The `super` key `superDecoder()` names.
private struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) {}
    init?(intValue: Int) { nil }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func value(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)"))
        }
        return value
    }

    private func decoder(_ key: Key) throws -> TreeDecoder {
        TreeDecoder(value: try value(key), codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let decoder = try decoder(key)
        return try decoder.unbox(decoder.value, as: T.self, at: decoder.codingPath)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder(key).container(keyedBy: NestedKey.self)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        TreeDecoder(value: members["super"] ?? .null, codingPath: codingPath + [SuperKey()])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(items: [JSONValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    /// The next item's decoder; the index moves on only when the item is read.
    private func next(_ type: Any.Type) throws -> TreeDecoder {
        let path = codingPath + [IndexKey(currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: path, debugDescription: "Unkeyed container is at end."))
        }
        return TreeDecoder(value: items[currentIndex], codingPath: path)
    }

    mutating func decodeNil() throws -> Bool {
        guard try next(Any?.self).value == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = try next(T.self)
        let decoded = try decoder.unbox(decoder.value, as: T.self, at: decoder.codingPath)
        currentIndex += 1
        return decoded
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let container = try next([String: Any].self).container(keyedBy: NestedKey.self)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try next([Any].self).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = try next(Any.self)
        currentIndex += 1
        return decoder
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try TreeDecoder(value: value, codingPath: codingPath).unbox(value, as: T.self, at: codingPath)
    }
}
