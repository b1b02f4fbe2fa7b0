/// How a treatment plan is priced.
public enum PricingModel: String, Hashable, Sendable, Codable, CaseIterable {
    /// A price per session.
    case perSession = "per-session"
    /// One price for the whole course.
    case package = "package"
}
