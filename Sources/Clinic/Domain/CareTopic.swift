/// What a care instruction is about. Sun, sweating and swimming are also what clients report at healing checks
/// (`CareCompliance`), so the two can be read side by side.
public enum CareTopic: String, Hashable, Sendable, Codable, CaseIterable {
    /// Haircut or shave before the session.
    case haircut
    /// Blood thinners (aspirin, ibuprofen, alcohol) before the session.
    case bloodThinners = "blood-thinners"
    /// Washing the scalp.
    case washing
    /// Sweating: gym, sport, sauna.
    case sweating
    /// Swimming, pools, sea.
    case swimming
    /// Direct sun; hat, then sunscreen.
    case sun
    /// Picking or scratching scabs.
    case scabs
    /// Moisturising the scalp.
    case moisturising
    /// Anything else.
    case other
}
