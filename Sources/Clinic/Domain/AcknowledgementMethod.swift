/// How a client acknowledged the care instructions they were given.
public enum AcknowledgementMethod: String, Hashable, Sendable, Codable, CaseIterable {
    /// Signed the printed sheet.
    case signature
    /// Confirmed through the link in the e-mail or text message.
    case link
    /// Said so, and staff recorded it.
    case verbal
}
