/// A validated stream name: `category-id`, e.g. `client-6f1c…`.
///
/// The category is the text before the first `-`. Allowed characters are letters, digits
/// and `_ . : @ -`, at most 200 of them, starting with a letter or digit: no quotes,
/// spaces, semicolons or control characters can reach the database through a name.
public struct StreamName: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) throws {
        guard Self.isValid(rawValue) else { throw EventStoreError.invalidStreamName(rawValue) }
        self.rawValue = rawValue
    }

    /// Builds `category-id`.
    public init(category: String, id: String) throws {
        guard Self.isValidCategory(category) else { throw EventStoreError.invalidStreamName(category + "-" + id) }
        try self.init(category + "-" + id)
    }

    /// The text before the first `-` (the whole name when there is none).
    public var category: String {
        if let dash = rawValue.firstIndex(of: "-") { return String(rawValue[..<dash]) }
        return rawValue
    }

    /// The text after the first `-`, if any.
    public var id: String? {
        guard let dash = rawValue.firstIndex(of: "-") else { return nil }
        return String(rawValue[rawValue.index(after: dash)...])
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        try self.init(value)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...200).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || [UInt8(ascii: "_"), 46, 58, 64, 45].contains($0) }
    }

    /// A category: letters, digits and `_`, at most 100 characters, no `-`.
    public static func isValidCategory(_ category: String) -> Bool {
        let bytes = Array(category.utf8)
        guard (1...100).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }
}

/// Another name for the store's `StreamName`, for code that also imports a domain module
/// with a `StreamName` of its own.
public typealias EventStreamName = StreamName
