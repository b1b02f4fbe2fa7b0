/// How the hairline edge is finished.
public enum EdgeSoftness: String, Hashable, Sendable, Codable, CaseIterable {
    /// A soft, feathered edge.
    case soft = "soft"
    /// A natural broken edge.
    case natural = "natural"
    /// A crisp, defined edge (shaved look).
    case crisp = "crisp"
}
