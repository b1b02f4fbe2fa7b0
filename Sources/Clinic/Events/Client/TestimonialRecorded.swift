import Foundation

/// The client gave a testimonial.
public struct TestimonialRecorded: EventPayload {
    /// `client.testimonial-recorded`.
    public static let typeName = "client.testimonial-recorded"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// What they said (personal: sealed with the client's key).
    public var personal: PersonalText
    /// Rating 1–5.
    public var rating: Int
    /// The marketing consent that allows publishing it, if any.
    public var marketingConsentID: ConsentID?

    /// Creates the payload.
    public init(at: Date, text: String, rating: Int, marketingConsentID: ConsentID? = nil) {
        self.at = at
        self.personal = PersonalText(text)
        self.rating = rating
        self.marketingConsentID = marketingConsentID
    }

    /// What they said ("(erased)" once the client was forgotten).
    public var text: String { personal.text }
}
