/// Where a deposit stands.
public enum DepositStatus: String, Hashable, Sendable, Codable {
    /// Taken and held.
    case held
    /// Applied to the treatment price.
    case applied
    /// Forfeited to the clinic.
    case forfeited
    /// Refunded to the client.
    case refunded
}
