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
    /// Whether it was approved for marketing.
    public var approvedForMarketing: Bool
}
