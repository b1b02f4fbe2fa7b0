/// What a payment was for; projections use it for revenue by service.
public enum PaymentPurpose: String, Hashable, Sendable, Codable, CaseIterable {
    /// A consultation fee.
    case consultation = "consultation"
    /// A course session.
    case session = "session"
    /// A course package, or an instalment of it.
    case package = "package"
    /// A touch-up.
    case touchUp = "touch-up"
    /// A correction or removal.
    case correction = "correction"
    /// Anything else.
    case other = "other"
}
