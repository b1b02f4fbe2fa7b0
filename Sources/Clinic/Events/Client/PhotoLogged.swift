import Foundation

/// A photo was logged; the image itself (upright, metadata stripped, sealed with the client's key) lives in the
/// photo store under the client and its content hash. `at` is when it was taken.
///
/// Version 2 adds the stored image's `width` and `height`; version 1 events (no dimensions known) upcast with nil.
public struct PhotoLogged: EventPayload {
    /// `client.photo-logged`.
    public static let typeName = "client.photo-logged"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// The photo.
    public var photoID: PhotoID
    /// SHA-256 of the stored (stripped) image bytes, lower-case hex.
    public var contentHash: String
    /// Size in bytes.
    public var sizeBytes: Int
    /// Media type, e.g. `image/jpeg`.
    public var mediaType: String
    /// Stage in the treatment.
    public var stage: PhotoStage
    /// Angle.
    public var angle: PhotoAngle
    /// The consent it was taken under (clinical or marketing photos).
    public var consentScope: ConsentScope
    /// Measured pigment density, 0–1.
    public var measuredDensity: Double?
    /// The session it belongs to.
    public var appointmentID: AppointmentID?
    /// Width of the stored image after orientation, in pixels (nil for photos logged before version 2).
    public var width: Int?
    /// Height of the stored image after orientation, in pixels (nil for photos logged before version 2).
    public var height: Int?

    /// Creates the payload.
    public init(
        at: Date, photoID: PhotoID, contentHash: String, sizeBytes: Int, mediaType: String, stage: PhotoStage,
        angle: PhotoAngle, consentScope: ConsentScope, measuredDensity: Double? = nil,
        appointmentID: AppointmentID? = nil, width: Int? = nil, height: Int? = nil
    ) {
        self.at = at
        self.photoID = photoID
        self.contentHash = contentHash
        self.sizeBytes = sizeBytes
        self.mediaType = mediaType
        self.stage = stage
        self.angle = angle
        self.consentScope = consentScope
        self.measuredDensity = measuredDensity
        self.appointmentID = appointmentID
        self.width = width
        self.height = height
    }
}
