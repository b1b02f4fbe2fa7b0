import Clinic
import ClinicService
import Foundation

/// A photo in API answers: its facts and the links to its image and thumbnail.
struct PhotoJSON: Encodable, Sendable {
    var photoID: String
    var contentHash: String
    var takenAt: String
    var stage: String
    var angle: String
    var consentScope: String
    var appointmentID: String?
    var mediaType: String
    var sizeBytes: Int
    var width: Int?
    var height: Int?
    var stored: Bool
    var approvedForMarketing: Bool
    var image: String?
    var thumbnail: String?

    init(_ photo: StoredPhoto, client: ClientID) {
        photoID = photo.photoID.uuidString.lowercased()
        contentHash = photo.contentHash
        takenAt = BusinessTime.iso(photo.takenAt)
        stage = photo.stage.description
        angle = photo.angle.rawValue
        consentScope = photo.consentScope.rawValue
        appointmentID = photo.appointmentID?.uuidString.lowercased()
        mediaType = photo.mediaType
        sizeBytes = photo.sizeBytes
        width = photo.width
        height = photo.height
        stored = photo.stored
        approvedForMarketing = photo.approvedForMarketing
        image = photo.stored ? Self.imagePath(client: client, hash: photo.contentHash) : nil
        thumbnail = photo.stored ? Self.imagePath(client: client, hash: photo.contentHash) + "/thumbnail" : nil
    }

    static func imagePath(client: ClientID, hash: String) -> String {
        "/v1/clients/\(client.uuidString.lowercased())/photos/\(hash)"
    }
}

struct PhotoListJSON: Encodable, Sendable {
    var clientID: String
    var photos: [PhotoJSON]
}

struct BeforeAfterJSON: Encodable, Sendable {
    var angle: String
    var before: PhotoJSON?
    var after: PhotoJSON?
    var sessionsBetween: Int

    init(_ pair: BeforeAfter, client: ClientID) {
        angle = pair.angle.rawValue
        before = pair.before.map { PhotoJSON($0, client: client) }
        after = pair.after.map { PhotoJSON($0, client: client) }
        sessionsBetween = pair.sessionsBetween
    }
}

struct BeforeAfterListJSON: Encodable, Sendable {
    var clientID: String
    var angles: [BeforeAfterJSON]
}
