/// How instructions were delivered.
public enum DeliveryChannel: String, Hashable, Sendable, Codable, CaseIterable {
    /// On paper.
    case printed = "printed"
    /// By e-mail.
    case email = "email"
    /// By text message.
    case sms = "sms"
}
