/// A validated stream name: `category-id`, e.g. `client-6f1c…`.
///
/// The category is the text before the first `-`. Allowed characters are letters, digits
/// and `_ . : @ -`, at most 200 of them, starting with a letter or digit: no quotes,
/// spaces, semicolons or control characters can reach the database through a name.
///
/// `category` and `id` are split once, when the name is made: projections ask for them
/// several times per event.
public struct StreamName: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    /// The text before the first `-` (the whole name when there is none).
    public let category: String
    /// The text after the first `-`, if any.
    public let id: String?

    public init(_ rawValue: String) throws {
        guard Self.isValid(rawValue) else { throw EventStoreError.invalidStreamName(rawValue) }
        self.init(validated: rawValue)
    }

    /// A name read back from the events table, whose CHECK constraint allows exactly the names
    /// `init(_:)` does: not validated again (it was on the way in, and by the database).
    init(stored rawValue: String) {
        self.init(validated: rawValue)
    }

    private init(validated rawValue: String) {
        self.rawValue = rawValue
        let utf8 = rawValue.utf8
        if let dash = utf8.firstIndex(of: UInt8(ascii: "-")) {
            category = String(rawValue[..<dash])
            id = String(rawValue[utf8.index(after: dash)...])
        } else {
            category = rawValue
            id = nil
        }
    }

    /// Builds `category-id`.
    public init(category: String, id: String) throws {
        guard Self.isValidCategory(category) else { throw EventStoreError.invalidStreamName(category + "-" + id) }
        try self.init(category + "-" + id)
    }

    public var description: String { rawValue }

    // Identity is the name alone: `category` and `id` follow from it.
    public static func == (lhs: StreamName, rhs: StreamName) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        try self.init(value)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    static func isValid(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard (1...200).contains(utf8.count), let first = utf8.first, isAlphanumeric(first) else { return false }
        return utf8.allSatisfy { byte in
            isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "-")
        }
    }

    /// A category: letters, digits and `_`, at most 100 characters, no `-`.
    public static func isValidCategory(_ category: String) -> Bool {
        let utf8 = category.utf8
        guard (1...100).contains(utf8.count), let first = utf8.first, isAlphanumeric(first) else { return false }
        return utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }
}

/// Another name for the store's `StreamName`, for code that also imports a domain module
/// with a `StreamName` of its own.
public typealias EventStreamName = StreamName
