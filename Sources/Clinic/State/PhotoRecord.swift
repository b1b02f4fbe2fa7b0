import Foundation

/// What the client stream remembers of a photo to decide on marketing use.
public struct PhotoRecord: Hashable, Sendable {
    /// The photo.
    public var photoID: PhotoID
    /// When it was taken.
    public var takenAt: Date
    /// The consent scope it was taken under.
    public var consentScope: ConsentScope
    /// Stage.
    public var stage: PhotoStage
    /// Whether it is approved for marketing (approved, and not revoked since).
    public var approvedForMarketing: Bool
    /// The approval in force, if any: its consent and where the photo is used.
    public var marketingApproval: PhotoApprovedForMarketing? = nil
}
