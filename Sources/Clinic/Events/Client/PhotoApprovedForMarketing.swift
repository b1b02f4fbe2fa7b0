import Foundation

/// A photo was approved for marketing use.
public struct PhotoApprovedForMarketing: EventPayload {
    /// `client.photo-approved-for-marketing`.
    public static let typeName = "client.photo-approved-for-marketing"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The photo.
    public var photoID: PhotoID
    /// The marketing consent that allows it.
    public var consentID: ConsentID
    /// Where it will be used.
    public var purpose: String

    /// Creates the payload.
    public init(at: Date, photoID: PhotoID, consentID: ConsentID, purpose: String) {
        self.at = at
        self.photoID = photoID
        self.consentID = consentID
        self.purpose = purpose
    }
}
