import Foundation

/// An amount of money in integer minor units (cents) with its currency; never floating point.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The amount in minor units, e.g. 180000 for USD 1,800.00.
    public var minorUnits: Int64
    /// The currency.
    public var currency: Currency

    /// Creates an amount in minor units.
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Creates an amount from whole major units (assumes two decimals, as USD, EUR and GBP have).
    public init(major: Int64, currency: Currency) {
        self.init(minorUnits: major * 100, currency: currency)
    }

    /// Zero in a currency.
    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// True when the amount is above zero.
    public var isPositive: Bool { minorUnits > 0 }

    /// The amount times a whole factor.
    public func times(_ factor: Int) -> Money { Money(minorUnits: minorUnits * Int64(factor), currency: currency) }

    /// `USD 1800.00` (minus sign for negatives).
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        return "\(currency.code) \(sign)\(magnitude / 100).\(String(magnitude % 100).leftPadded(to: 2))"
    }
}
