import Clinic
import Foundation
import Imaging

/// Why a photo could not be stored or read. The HTTP layer maps each to a problem (see `PhotoRoutes`).
public enum PhotoError: Error, Sendable {
    /// The bytes are refused (empty, wrong or unknown type, bomb, damaged): 415 or 422.
    case image(ImagingError)
    /// The body is over the size limit: 413.
    case tooLarge(bytes: Int, limit: Int)
    /// No such client: 404.
    case unknownClient(ClientID)
    /// The client has no stored photo with this hash: 404.
    case notFound(client: ClientID, hash: String)
    /// The client was forgotten: their photos are shredded (410).
    case forgotten(ClientID)
    /// The clinic rules refused the photo (no consent for its scope, …): 422.
    case rejected(Rejection)
    /// A stored event could not be read back.
    case unreadableHistory(reason: String)
}

extension PhotoError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .image(let error): error.description
        case .tooLarge(let bytes, let limit): "the image is \(bytes) bytes, over the limit of \(limit) bytes"
        case .unknownClient(let id): "client \(id.uuidString.lowercased()) is not registered"
        case .notFound(let client, let hash):
            "client \(client.uuidString.lowercased()) has no stored photo \(hash)"
        case .forgotten(let id): "client \(id.uuidString.lowercased()) was forgotten: their photos are shredded"
        case .rejected(let rejection): rejection.message
        case .unreadableHistory(let reason): "the client's history could not be read: \(reason)"
        }
    }
}
