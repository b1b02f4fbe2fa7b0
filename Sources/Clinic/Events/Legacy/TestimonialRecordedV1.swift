import Foundation

/// `client.testimonial-recorded` version 1: the text in the clear, beside the rating.
public struct TestimonialRecordedV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    public var at: Date
    public var text: String
    public var rating: Int
    public var marketingConsentID: ConsentID?

    /// The same testimonial with its text under `personal`.
    public func upcast() -> TestimonialRecorded {
        TestimonialRecorded(at: at, text: text, rating: rating, marketingConsentID: marketingConsentID)
    }
}
