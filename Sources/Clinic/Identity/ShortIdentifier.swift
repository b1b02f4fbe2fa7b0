import Foundation

/// A short text id (`[A-Za-z0-9._-]`, 1–64 characters): technicians, locations, pigment batches.
///
/// The three id types differ only in what they name; this protocol gives them one
/// validation, ordering, description and JSON form.
public protocol ShortIdentifier: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The validated raw text.
    var rawValue: String { get }
    /// Creates an id, or returns nil when the text is empty, longer than 64 characters or has other characters.
    init?(_ rawValue: String)
    /// What the id names, for error messages (e.g. "technician id").
    static var kind: String { get }
}

extension ShortIdentifier {
    /// The raw text.
    public var description: String { rawValue }

    /// Orders ids by their raw text.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes from a JSON string, rejecting invalid text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid \(Self.kind) '\(raw)'")
        }
        self = value
    }

    /// Encodes as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
