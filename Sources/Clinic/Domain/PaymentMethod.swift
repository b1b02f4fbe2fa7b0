/// How money moved.
public enum PaymentMethod: String, Hashable, Sendable, Codable, CaseIterable {
    /// Card payment.
    case card = "card"
    /// Cash.
    case cash = "cash"
    /// Bank transfer.
    case bankTransfer = "bank-transfer"
    /// Third-party financing.
    case financing = "financing"
}
