import Clinic
import Crypto
import Dispatch
import EventStore
import Foundation
import Imaging
import Projections
import TextCodecs

/// A client's photos: upload (validate, orient, strip, thumbnail, seal, store, log), list, bytes, before/after.
///
/// The one entry point for the API, the CLI and the console. Image bytes and thumbnails are sealed with the
/// client's key (`PersonalDataVault.sealBlob`), so forgetting the client shreds them with everything else.
/// Reads here do not write the access log: each caller records its own channel (`api`, `cli`, `console`).
public struct PhotoService: Sendable {
    public let store: EventStore
    /// The largest upload accepted, in bytes (25 MB by default).
    public let sizeLimit: Int
    let processor: ImageProcessor?
    let photos: PhotoStore
    let handler: CommandHandler

    /// The default upload limit: 25 MB.
    public static let defaultSizeLimit = 25 * 1024 * 1024

    /// A service over `store` (which must have a vault: photos are always sealed). Without a `processor`, one with
    /// the default limits is made on each upload (libvips starts once per process; a failure to start is that
    /// upload's error).
    public init(
        store: EventStore, settings: ClinicSettings = .standard, sizeLimit: Int = defaultSizeLimit,
        processor: ImageProcessor? = nil, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.sizeLimit = sizeLimit
        self.processor = processor
        self.photos = PhotoStore(pool: store.pool)
        // Concurrent uploads for one client each retry on a version conflict; one wins per round.
        self.handler = CommandHandler(store: store, settings: settings, maxAttempts: 32, clock: clock)
    }

    /// The stream name (and key subject) of a client.
    static func subject(_ client: ClientID) -> String { Clinic.StreamName.client(client).rawValue }

    /// The photo id of an image for a client: derived from both, so the same image is always the same photo.
    public static func photoID(client: ClientID, contentHash: String) -> PhotoID {
        var bytes = Array(SHA256.hash(data: Data("stipple.photo.v1\u{0}\(subject(client))\u{0}\(contentHash)".utf8)))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: application-defined
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    // MARK: - Upload

    /// Stores `data` (declared as `mediaType`) as a photo of `client` and appends `client.photo-logged` with the
    /// SHA-256, size, type and dimensions of the stored, stripped bytes. The same image twice is one photo
    /// (`created` false the second time). Nothing is stored when the image or the event is refused.
    public func upload(
        _ data: Data, mediaType: String, client: ClientID, facts: PhotoFacts, metadata: EventMetadata
    ) async throws -> PhotoUpload {
        guard data.count <= sizeLimit else { throw PhotoError.tooLarge(bytes: data.count, limit: sizeLimit) }
        guard let format = ImageFormat(mediaType: mediaType) else {
            throw PhotoError.image(.unsupportedMediaType(declared: mediaType, accepted: ImageFormat.accepted))
        }
        let configured = self.processor
        let processed: ProcessedImage
        do {
            processed = try await Self.offload { () throws(ImagingError) -> ProcessedImage in
                let processor: ImageProcessor
                if let configured { processor = configured } else { processor = try ImageProcessor() }
                return try processor.process(data, declared: format)
            }
        } catch let error as ImagingError {
            throw PhotoError.image(error)
        }
        let hash = Hex.encode(SHA256.hash(data: processed.bytes))
        let subject = Self.subject(client)
        let history = try await self.history(client)
        if let existing = history.photos.first(where: { $0.contentHash == hash }) {
            return PhotoUpload(photo: existing, created: false)
        }
        guard let vault = store.vault else { throw PersonalDataError.masterKeyMissing }
        let image: SealedBlob
        let thumbnail: SealedBlob
        do {
            image = try await vault.sealBlob(processed.bytes, subject: subject, label: "\(hash)/image")
            thumbnail = try await vault.sealBlob(processed.thumbnail, subject: subject, label: "\(hash)/thumbnail")
        } catch PersonalDataError.subjectErased {
            throw PhotoError.forgotten(client)
        }
        try await photos.insert(
            PhotoStore.Row(
                subject: subject, contentHash: hash, mediaType: processed.format.mediaType,
                sizeBytes: processed.bytes.count, width: processed.width, height: processed.height, image: image,
                thumbnailMediaType: processed.thumbnailFormat.mediaType, thumbnail: thumbnail))
        let event = PhotoLogged(
            at: facts.takenAt ?? handler.clock(), photoID: Self.photoID(client: client, contentHash: hash),
            contentHash: hash, sizeBytes: processed.bytes.count, mediaType: processed.format.mediaType,
            stage: facts.stage, angle: facts.angle, consentScope: facts.consentScope,
            measuredDensity: facts.measuredDensity, appointmentID: facts.appointmentID, width: processed.width,
            height: processed.height)
        do {
            _ = try await handler.handle(.logPhoto(event), client: client, metadata: metadata)
        } catch CommandHandler.Failure.rejected(.duplicateID(kind: "photo", _)) {
            // The same image uploaded concurrently: the other upload logged it.
            guard let existing = try await self.history(client).photos.first(where: { $0.contentHash == hash }) else {
                throw PhotoError.rejected(.duplicateID(kind: "photo", id: event.photoID))
            }
            return PhotoUpload(photo: existing, created: false)
        } catch let failure as CommandHandler.Failure {
            try? await photos.removeUnreferenced(subject: subject, contentHash: hash)
            switch failure {
            case .rejected(.clientNotRegistered): throw PhotoError.unknownClient(client)
            case .rejected(.clientForgotten): throw PhotoError.forgotten(client)
            case .rejected(let rejection): throw PhotoError.rejected(rejection)
            case .unreadableHistory(_, let reason): throw PhotoError.unreadableHistory(reason: reason)
            }
        } catch {
            try? await photos.removeUnreferenced(subject: subject, contentHash: hash)
            throw error
        }
        return PhotoUpload(
            photo: StoredPhoto(event: event, stored: true, approved: false), created: true)
    }

    /// The clients that have stored photos (for exports of the whole log).
    public func clientsWithPhotos() async throws -> [ClientID] {
        try await photos.subjects().compactMap { UUID(uuidString: String($0.dropFirst("client-".count))) }
    }

    // MARK: - Restore (import)

    /// Stores exported image bytes again (`stipple import --photos DIR`): the bytes must hash to a
    /// `client.photo-logged` of `client` already in the log; they are checked as an image but not re-encoded (that
    /// would change the hash), get a new thumbnail, and are sealed under this database's key for the client.
    /// Returns false when the photo was already stored.
    public func restore(_ data: Data, client: ClientID) async throws -> Bool {
        guard data.count <= sizeLimit else { throw PhotoError.tooLarge(bytes: data.count, limit: sizeLimit) }
        let hash = Hex.encode(SHA256.hash(data: data))
        let history = try await self.history(client)
        guard let photo = history.photos.first(where: { $0.contentHash == hash }) else {
            throw PhotoError.notFound(client: client, hash: hash)
        }
        if photo.stored { return false }
        let configured = self.processor
        let processed: ProcessedImage
        do {
            processed = try await Self.offload { () throws(ImagingError) -> ProcessedImage in
                let processor: ImageProcessor
                if let configured { processor = configured } else { processor = try ImageProcessor() }
                return try processor.restore(data)
            }
        } catch let error as ImagingError {
            throw PhotoError.image(error)
        }
        guard let vault = store.vault else { throw PersonalDataError.masterKeyMissing }
        let subject = Self.subject(client)
        do {
            try await photos.insert(
                PhotoStore.Row(
                    subject: subject, contentHash: hash, mediaType: processed.format.mediaType,
                    sizeBytes: data.count, width: processed.width, height: processed.height,
                    image: try await vault.sealBlob(data, subject: subject, label: "\(hash)/image"),
                    thumbnailMediaType: processed.thumbnailFormat.mediaType,
                    thumbnail: try await vault.sealBlob(
                        processed.thumbnail, subject: subject, label: "\(hash)/thumbnail")))
        } catch PersonalDataError.subjectErased {
            throw PhotoError.forgotten(client)
        }
        return true
    }

    // MARK: - Reads

    /// The client's photos in the order they were logged. Throws `forgotten` (410) after a forget.
    public func list(client: ClientID) async throws -> [StoredPhoto] {
        try await history(client).photos
    }

    /// The stored image of `client` with `contentHash`: upright, stripped bytes and their media type.
    public func image(client: ClientID, contentHash: String) async throws -> (bytes: Data, mediaType: String) {
        try await blob(client: client, contentHash: contentHash, thumbnail: false)
    }

    /// The thumbnail (at most 320 px on the long side) of a stored image.
    public func thumbnail(client: ClientID, contentHash: String) async throws -> (bytes: Data, mediaType: String) {
        try await blob(client: client, contentHash: contentHash, thumbnail: true)
    }

    /// Before and after per angle: the earliest `before` and the latest healed or follow-up photo (photos whose
    /// image is stored preferred), with the sessions performed between them. Only angles with at least one such
    /// photo are listed.
    public func beforeAfter(client: ClientID) async throws -> [BeforeAfter] {
        try await album(client: client).pairs
    }

    /// The client's photos and their before/after pairs from one read of the client's stream (a page that
    /// shows both reads once).
    public func album(client: ClientID) async throws -> (photos: [StoredPhoto], pairs: [BeforeAfter]) {
        let history = try await history(client)
        return (history.photos, Self.beforeAfter(history))
    }

    private static func beforeAfter(_ history: (photos: [StoredPhoto], sessions: [Date])) -> [BeforeAfter] {
        var result: [BeforeAfter] = []
        for angle in PhotoAngle.allCases {
            let photos = history.photos.filter { $0.angle == angle }
            // A photo whose image is held here wins over one known only by its event: it can be shown.
            func viewable(_ candidates: [StoredPhoto]) -> [StoredPhoto] {
                let stored = candidates.filter(\.stored)
                return stored.isEmpty ? candidates : stored
            }
            let before = viewable(photos.filter { $0.stage == .before }).min { $0.takenAt < $1.takenAt }
            let after = viewable(photos.filter { $0.stage == .healed || $0.stage == .followUp })
                .max { $0.takenAt < $1.takenAt }
            guard before != nil || after != nil else { continue }
            let from = before?.takenAt ?? .distantPast
            let to = after?.takenAt ?? .distantFuture
            let sessions = history.sessions.filter { $0 >= from && $0 <= to }.count
            result.append(BeforeAfter(angle: angle, before: before, after: after, sessionsBetween: sessions))
        }
        return result
    }

    private func blob(client: ClientID, contentHash: String, thumbnail: Bool) async throws
        -> (bytes: Data, mediaType: String)
    {
        let subject = Self.subject(client)
        let hash = contentHash.lowercased()
        guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
            throw PhotoError.notFound(client: client, hash: contentHash)
        }
        guard let stored = try await photos.blob(subject: subject, contentHash: hash, thumbnail: thumbnail) else {
            if try await isForgotten(client) { throw PhotoError.forgotten(client) }
            throw PhotoError.notFound(client: client, hash: hash)
        }
        guard let vault = store.vault else { throw PersonalDataError.masterKeyMissing }
        do {
            let label = "\(hash)/" + (thumbnail ? "thumbnail" : "image")
            return (try await vault.openBlob(stored.blob, subject: subject, label: label), stored.mediaType)
        } catch PersonalDataError.subjectErased {
            throw PhotoError.forgotten(client)
        }
    }

    private func isForgotten(_ client: ClientID) async throws -> Bool {
        guard let vault = store.vault else { return false }
        return try await vault.keyStatus(subject: Self.subject(client))?.destroyedAt != nil
    }

    /// What the client stream says about photos: each logged photo with its approval, and when sessions were performed.
    private func history(_ client: ClientID) async throws -> (photos: [StoredPhoto], sessions: [Date]) {
        let subject = Self.subject(client)
        let recorded = try await store.readWholeStream(try Clinic.StreamName.client(client).eventStreamName)
        guard !recorded.isEmpty else { throw PhotoError.unknownClient(client) }
        let stored = try await photos.hashes(subject: subject)
        var photos: [StoredPhoto] = []
        var approved = Set<PhotoID>()
        var sessions: [Date] = []
        for event in recorded {
            let decoded: ClinicEvent
            do {
                decoded = try ClinicEvent(event)
            } catch {
                throw PhotoError.unreadableHistory(reason: "\(event.stream.rawValue)@\(event.version): \(error)")
            }
            guard case .client(let clientEvent) = decoded else { continue }
            switch clientEvent {
            case .photoLogged(let logged):
                photos.append(
                    StoredPhoto(event: logged, stored: stored.contains(logged.contentHash), approved: false))
            case .photoApprovedForMarketing(let approval):
                approved.insert(approval.photoID)
            case .marketingApprovalRevoked(let revocation):
                approved.remove(revocation.photoID)
            case .sessionPerformed(let session):
                sessions.append(session.at)
            case .touchUpPerformed(let touchUp):
                sessions.append(touchUp.at)
            case .forgotten:
                throw PhotoError.forgotten(client)
            default:
                break
            }
        }
        for index in photos.indices where approved.contains(photos[index].photoID) {
            photos[index].approvedForMarketing = true
        }
        return (photos, sessions)
    }

    /// Runs CPU-bound image work on a Dispatch worker, off the cooperative pool that serves requests.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws(ImagingError) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                do {
                    continuation.resume(returning: try work())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

extension StoredPhoto {
    init(event: PhotoLogged, stored: Bool, approved: Bool) {
        self.init(
            photoID: event.photoID, contentHash: event.contentHash, takenAt: event.at, stage: event.stage,
            angle: event.angle, consentScope: event.consentScope, appointmentID: event.appointmentID,
            mediaType: event.mediaType, sizeBytes: event.sizeBytes, width: event.width, height: event.height,
            stored: stored, approvedForMarketing: approved)
    }
}
