/// One line of a care instruction set, e.g. aftercare "no sweating or gym for 5 days".
public struct CareItem: Hashable, Sendable, Codable {
    /// Pre-care (before a session) or aftercare.
    public var kind: InstructionKind
    /// What it is about.
    public var topic: CareTopic
    /// The wording the client is given.
    public var text: String
    /// For how many days it holds (aftercare: from the session; pre-care: before it); nil when it has no end.
    public var days: Int?
    /// The first day it applies, counted from the session (0 = the session day, 1 = the next day; negative for
    /// pre-care, -1 = the day before); nil when it applies at once.
    public var fromDay: Int?

    /// Creates an item.
    public init(kind: InstructionKind, topic: CareTopic, text: String, days: Int? = nil, fromDay: Int? = nil) {
        self.kind = kind
        self.topic = topic
        self.text = text
        self.days = days
        self.fromDay = fromDay
    }

    /// Why the item cannot be published, or nil: wording present, days 1–365, first day −30…365.
    public var problem: String? {
        if text.allSatisfy(\.isWhitespace) { return "text must not be blank" }
        if let days, !(1...365).contains(days) { return "days must be 1–365, not \(days)" }
        if let fromDay, !(-30...365).contains(fromDay) { return "fromDay must be -30–365, not \(fromDay)" }
        return nil
    }
}
