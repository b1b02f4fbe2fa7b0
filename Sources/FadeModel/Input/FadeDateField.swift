/// Which kind of date in a ``FadeSubject`` an error refers to.
public enum FadeDateField: String, Sendable, Codable, Equatable, Hashable {
    /// A course session date.
    case session
    /// A touch-up date.
    case touchUp
    /// A follow-up observation date.
    case observation
}
