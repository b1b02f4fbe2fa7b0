import Foundation

/// An ISO-4217 currency code such as `USD`.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// The three upper-case letters.
    public let code: String

    /// Creates a currency, or nil unless the code is three ASCII upper-case letters.
    public init?(_ code: String) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
        self.code = code
    }

    private init(trusted code: String) { self.code = code }

    /// US dollars.
    public static let usd = Currency(trusted: "USD")
    /// Euros.
    public static let eur = Currency(trusted: "EUR")
    /// Pounds sterling.
    public static let gbp = Currency(trusted: "GBP")

    /// The code.
    public var description: String { code }
}

extension Currency: Codable {
    /// Decodes from a code string, rejecting invalid codes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Currency(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid currency '\(raw)'")
        }
        self = value
    }

    /// Encodes as the code string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
