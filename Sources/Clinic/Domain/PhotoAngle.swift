/// The angle a scalp photo was taken from.
public enum PhotoAngle: String, Hashable, Sendable, Codable, CaseIterable {
    /// Front, eye level.
    case front = "front"
    /// From above.
    case top = "top"
    /// Crown close-up.
    case crown = "crown"
    /// Left profile.
    case left = "left"
    /// Right profile.
    case right = "right"
    /// From behind.
    case back = "back"
    /// Hairline close-up.
    case hairlineCloseUp = "hairline-close-up"
}
