import Foundation

/// A photo's marketing approval was revoked because the client withdrew marketing consent: it must be taken
/// down wherever it was used (`purpose`). Written by the decider in the same append as the withdrawal.
public struct MarketingApprovalRevoked: EventPayload {
    /// `client.marketing-approval-revoked`.
    public static let typeName = "client.marketing-approval-revoked"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time (the withdrawal's).
    public var at: Date
    /// The photo.
    public var photoID: PhotoID
    /// The marketing consent the approval relied on.
    public var consentID: ConsentID
    /// Where the photo was used: where it must be taken down.
    public var purpose: String

    /// Creates the payload.
    public init(at: Date, photoID: PhotoID, consentID: ConsentID, purpose: String) {
        self.at = at
        self.photoID = photoID
        self.consentID = consentID
        self.purpose = purpose
    }
}
