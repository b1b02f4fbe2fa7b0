import Foundation

/// A technician's id: a short string (e.g. `T-07`) or a UUID, restricted to `[A-Za-z0-9._-]`.
public struct TechnicianID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The validated raw text.
    public let rawValue: String

    /// Creates an id, or returns nil when the text is empty, longer than 64 characters or has other characters.
    public init?(_ rawValue: String) {
        guard IdentifierRules.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// The raw text.
    public var description: String { rawValue }

    /// Orders ids by their raw text.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension TechnicianID: Codable {
    /// Decodes from a JSON string, rejecting invalid text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid technician id '\(raw)'")
        }
        self = value
    }

    /// Encodes as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
