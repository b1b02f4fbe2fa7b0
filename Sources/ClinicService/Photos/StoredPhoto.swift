import Clinic
import Foundation

/// A photo of a client as the API and the console list it: the facts of its `client.photo-logged` event.
public struct StoredPhoto: Sendable, Hashable, Codable {
    /// The photo's id (derived from the client and the content hash, so the same image is always the same photo).
    public var photoID: PhotoID
    /// SHA-256 of the stored image bytes, lower-case hex.
    public var contentHash: String
    /// When it was taken (business time).
    public var takenAt: Date
    public var stage: PhotoStage
    public var angle: PhotoAngle
    public var consentScope: ConsentScope
    public var appointmentID: AppointmentID?
    public var mediaType: String
    public var sizeBytes: Int
    public var width: Int?
    public var height: Int?
    /// Whether the image bytes are held here (photos logged before uploads existed, or by the demo generator
    /// without an image, have only their event).
    public var stored: Bool
    /// Whether the photo was approved for marketing.
    public var approvedForMarketing: Bool
}

/// Per angle: the earliest `before` photo and the latest healed or follow-up photo, and the sessions between.
public struct BeforeAfter: Sendable, Hashable, Codable {
    public var angle: PhotoAngle
    public var before: StoredPhoto?
    public var after: StoredPhoto?
    /// Sessions and touch-ups performed between the two photos (all of them when one side is missing).
    public var sessionsBetween: Int
}

/// The result of an upload.
public struct PhotoUpload: Sendable, Hashable {
    public var photo: StoredPhoto
    /// False when the same image was already stored for this client (nothing new written).
    public var created: Bool
}

/// The facts of an upload that are not in the bytes.
public struct PhotoFacts: Sendable, Hashable {
    public var stage: PhotoStage
    public var angle: PhotoAngle
    public var consentScope: ConsentScope
    public var appointmentID: AppointmentID?
    /// When it was taken; nil: now.
    public var takenAt: Date?
    public var measuredDensity: Double?

    public init(
        stage: PhotoStage, angle: PhotoAngle, consentScope: ConsentScope = .clinicalPhotos,
        appointmentID: AppointmentID? = nil, takenAt: Date? = nil, measuredDensity: Double? = nil
    ) {
        self.stage = stage
        self.angle = angle
        self.consentScope = consentScope
        self.appointmentID = appointmentID
        self.takenAt = takenAt
        self.measuredDensity = measuredDensity
    }
}
