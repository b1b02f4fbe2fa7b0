import Clinic
import EventStore
import Foundation
import Imaging
import ClinicService

/// Gives the demo clinic real images: for the photos the generator logged for the first clients, a synthetic
/// scalp image (skin tone by client, pigment dots whose density follows the stage and the measured density) is
/// uploaded through `PhotoService` with the same facts, so it is validated, stripped, sealed and logged like any
/// upload. No photo of a real person, nothing downloaded. Rerunning uploads the same bytes: nothing new.
struct DemoPhotos {
    struct Summary {
        var stored: Int
        var alreadyStored: Int
        var clients: Int
        /// One photo to fetch: client and hash.
        var example: (client: ClientID, hash: String)?
    }

    let service: PhotoService
    /// How many clients get images (the others keep the generator's photo records only).
    let clientLimit: Int

    func upload(_ history: ClinicHistory) async throws -> Summary {
        var order: [ClientID] = []
        var photos: [ClientID: [PhotoLogged]] = [:]
        var forgotten = Set<ClientID>()
        for pending in history {
            guard let client = UUID(uuidString: pending.stream.id) else { continue }
            switch pending.event {
            case .client(.photoLogged(let photo)):
                if photos[client] == nil { order.append(client) }
                photos[client, default: []].append(photo)
            case .client(.forgotten):
                // Their photos would be shredded at once: the demo shows clients it can show.
                forgotten.insert(client)
            default:
                continue
            }
        }
        order = Array(order.filter { !forgotten.contains($0) }.prefix(clientLimit))
        var summary = Summary(stored: 0, alreadyStored: 0, clients: order.count)
        for client in order {
            let skinType = 1 + Int(client.uuid.0 % 6)
            for photo in photos[client] ?? [] {
                let treated = photo.stage != .before
                let density = photo.measuredDensity ?? (treated ? 0.8 : 0)
                let scalp = SyntheticScalp(
                    width: 640, height: 480, dotsPerKilopixel: treated ? 1 + density * 7 : 0.4,
                    fade: treated ? max(0, 1 - density) * 0.6 : 0, skinType: skinType, grain: 6,
                    seed: withUnsafeBytes(of: photo.photoID.uuid) { $0.loadUnaligned(as: UInt64.self) })
                let image = try scalp.render(as: .jpeg)
                let upload = try await service.upload(
                    image, mediaType: "image/jpeg", client: client,
                    facts: PhotoFacts(
                        stage: photo.stage, angle: photo.angle, consentScope: photo.consentScope,
                        appointmentID: photo.appointmentID, takenAt: photo.at, measuredDensity: photo.measuredDensity),
                    metadata: EventMetadata(actor: "generator"))
                if upload.created { summary.stored += 1 } else { summary.alreadyStored += 1 }
                if summary.example == nil { summary.example = (client, upload.photo.contentHash) }
            }
        }
        return summary
    }
}
