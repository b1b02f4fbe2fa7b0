/// Anaesthetic used during a session.
public enum Anaesthetic: String, Hashable, Sendable, Codable, CaseIterable {
    /// No anaesthetic.
    case none = "none"
    /// Topical lidocaine cream.
    case topicalLidocaine = "topical-lidocaine"
    /// Topical benzocaine cream.
    case topicalBenzocaine = "topical-benzocaine"
    /// Local injection by a clinician.
    case localInjection = "local-injection"
}
