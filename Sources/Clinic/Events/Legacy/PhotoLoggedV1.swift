import Foundation

/// `client.photo-logged` version 1: hash, size and media type, no image dimensions.
public struct PhotoLoggedV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    public var at: Date
    public var photoID: PhotoID
    public var contentHash: String
    public var sizeBytes: Int
    public var mediaType: String
    public var stage: PhotoStage
    public var angle: PhotoAngle
    public var consentScope: ConsentScope
    public var measuredDensity: Double?
    public var appointmentID: AppointmentID?

    /// The same photo with unknown dimensions (nil width and height).
    public func upcast() -> PhotoLogged {
        PhotoLogged(
            at: at, photoID: photoID, contentHash: contentHash, sizeBytes: sizeBytes, mediaType: mediaType,
            stage: stage, angle: angle, consentScope: consentScope, measuredDensity: measuredDensity,
            appointmentID: appointmentID)
    }
}
