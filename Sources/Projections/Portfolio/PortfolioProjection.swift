import Clinic
import EventStore
import Foundation

/// The artists' portfolios: photos approved for marketing whose marketing consent still holds, and
/// testimonials given under a marketing consent, each attributed to the technician who treated the client.
///
/// Tables: `portfolio_photos` (one row per approved photo: client, technician, hash, stage, angle, dates,
/// `listed`, and when and why it was taken down) and `portfolio_testimonials` (one row per testimonial given
/// under a marketing consent). Withdrawing the marketing consent, or forgetting the client, sets `listed`
/// false on every row of that client in the same batch, with `removed_at` and `removed_reason`: those rows
/// are the take-down list. A photo whose marketing consent was signed after it was taken is never listed.
public struct PortfolioProjection: FoldingProjection {
    public let name = "portfolio"
    /// v2: only the events it `folds` make a client's state (a client with none of them has no state row).
    /// v3: fold states stored as `json` text, not `jsonb` (written and read back verbatim; nothing queries into them).
    public let version = 3

    public init() {}

    /// What a client stream has said that the portfolio needs.
    public struct State: Codable, Sendable {
        /// Technician per performed appointment.
        public var technicianByAppointment: [String: String] = [:]
        /// The technician of the latest performed session or touch-up.
        public var lastTechnician: String?
        /// Photos logged: id → facts.
        public var photos: [String: Photo] = [:]
        /// Marketing consents: id → when signed.
        public var marketingConsents: [String: Date] = [:]
        /// When the marketing scope was last withdrawn.
        public var marketingWithdrawnAt: Date?
        /// Rows currently listed, to take down at once on withdrawal.
        public var listedPhotos: [String: PhotoRow] = [:]
        public var listedTestimonials: [String: TestimonialRow] = [:]
        public var testimonialCount = 0

        public struct Photo: Codable, Sendable, Hashable {
            public var contentHash: String
            public var takenAt: Date
            public var stage: String
            public var angle: String
            public var technician: String?
        }

        public struct PhotoRow: Codable, Sendable, Hashable {
            public var photo: Photo
            public var approvedAt: Date
            public var purpose: String
            public var consentID: String
        }

        public struct TestimonialRow: Codable, Sendable, Hashable {
            public var at: Date
            public var rating: Int
            public var text: String
            public var technician: String?
            public var consentID: String
        }
    }

    public var tables: [TableSpec] {
        [
            TableSpec(
                name: "portfolio_photos",
                columns: [
                    .init("photo_id", "uuid NOT NULL"), .init("client_id", "uuid NOT NULL"),
                    .init("technician", "text"), .init("content_hash", "text NOT NULL"),
                    .init("stage", "text NOT NULL"), .init("angle", "text NOT NULL"),
                    .init("taken_at", "timestamptz NOT NULL"), .init("approved_at", "timestamptz NOT NULL"),
                    .init("purpose", "text NOT NULL"), .init("consent_id", "uuid NOT NULL"),
                    .init("listed", "boolean NOT NULL"), .init("removed_at", "timestamptz"),
                    .init("removed_reason", "text"),
                ],
                primaryKey: ["photo_id"], mode: .upsert, indexes: ["technician, listed", "client_id", "listed"]),
            TableSpec(
                name: "portfolio_testimonials",
                columns: [
                    .init("testimonial_key", "text NOT NULL"), .init("client_id", "uuid NOT NULL"),
                    .init("technician", "text"), .init("at", "timestamptz NOT NULL"),
                    .init("rating", "integer NOT NULL"),
                    .init("text", "text"), .init("consent_id", "uuid NOT NULL"), .init("listed", "boolean NOT NULL"),
                    .init("removed_at", "timestamptz"), .init("removed_reason", "text"),
                ],
                primaryKey: ["testimonial_key"], mode: .upsert, indexes: ["technician, listed", "client_id"]),
        ]
    }

    public func stateKey(for stream: EventStreamName) -> String? {
        stream.category == "client" ? stream.rawValue : nil
    }

    /// The client's stream, whose name is the key.
    public func stream(forKey key: String) -> EventStreamName? {
        (try? EventStreamName(key)).flatMap { stateKey(for: $0) == key ? $0 : nil }
    }

    public func initialState(for key: String) -> State { State() }

    /// Treatments (who did them), photos, marketing consent and approvals, testimonials, forgetting.
    public func folds(_ event: ClinicEvent) -> Bool {
        switch event {
        case .client(.sessionPerformed), .client(.touchUpPerformed), .client(.photoLogged),
            .client(.photoApprovedForMarketing), .client(.testimonialRecorded), .client(.marketingApprovalRevoked),
            .client(.forgotten):
            true
        case .client(.consentSigned(let e)): e.scopes.contains(.marketingPhotos)
        case .client(.consentWithdrawn(let e)): e.scopes.contains(.marketingPhotos)
        default: false
        }
    }

    public func fold(
        _ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput
    ) throws {
        guard case .client(let clientEvent) = event else { return }
        let client = recorded.stream.id ?? ""
        switch clientEvent {
        case .sessionPerformed(let e):
            state.technicianByAppointment[e.appointmentID.lowerText] = e.technicianID.rawValue
            state.lastTechnician = e.technicianID.rawValue
        case .touchUpPerformed(let e):
            state.technicianByAppointment[e.appointmentID.lowerText] = e.technicianID.rawValue
            state.lastTechnician = e.technicianID.rawValue
        case .photoLogged(let e):
            let technician =
                e.appointmentID.flatMap { state.technicianByAppointment[$0.lowerText] }
                ?? state.lastTechnician
            state.photos[e.photoID.lowerText] = State.Photo(
                contentHash: e.contentHash, takenAt: e.at, stage: e.stage.description, angle: e.angle.rawValue,
                technician: technician)
        case .consentSigned(let e) where e.scopes.contains(.marketingPhotos):
            state.marketingConsents[e.consentID.lowerText] = e.at
        case .photoApprovedForMarketing(let e):
            let photoKey = e.photoID.lowerText
            let consentKey = e.consentID.lowerText
            guard let photo = state.photos[photoKey], let signedAt = state.marketingConsents[consentKey],
                signedAt <= photo.takenAt, !Self.withdrawn(state, since: signedAt)
            else { return }
            let row = State.PhotoRow(photo: photo, approvedAt: e.at, purpose: e.purpose, consentID: consentKey)
            state.listedPhotos[photoKey] = row
            try write(photo: photoKey, row, client: client, into: &output)
        case .testimonialRecorded(let e):
            state.testimonialCount += 1
            guard let consent = e.marketingConsentID?.lowerText,
                let signedAt = state.marketingConsents[consent], !Self.withdrawn(state, since: signedAt)
            else { return }
            let key = "\(recorded.stream.rawValue)#\(state.testimonialCount)"
            let row = State.TestimonialRow(
                at: e.at, rating: e.rating, text: e.text, technician: state.lastTechnician, consentID: consent)
            state.listedTestimonials[key] = row
            try write(testimonial: key, row, client: client, into: &output)
        case .marketingApprovalRevoked(let e):
            // The withdrawal in the same append already took everything down; this covers a revocation alone.
            let photoKey = e.photoID.lowerText
            guard let row = state.listedPhotos.removeValue(forKey: photoKey) else { return }
            try write(
                photo: photoKey, row, client: client, removedAt: e.at, reason: "marketing approval revoked",
                into: &output)
        case .consentWithdrawn(let e) where e.scopes.contains(.marketingPhotos):
            state.marketingWithdrawnAt = e.at
            try takeDown(&state, client: client, at: e.at, reason: "marketing consent withdrawn", into: &output)
        case .forgotten(let e):
            state.marketingWithdrawnAt = e.at
            try takeDown(&state, client: client, at: e.at, reason: "client forgotten", into: &output)
        default:
            return
        }
    }

    private static func withdrawn(_ state: State, since signedAt: Date) -> Bool {
        guard let withdrawnAt = state.marketingWithdrawnAt else { return false }
        return withdrawnAt >= signedAt
    }

    private func takeDown(
        _ state: inout State, client: String, at: Date, reason: String, into output: inout ProjectionOutput
    ) throws {
        for (key, row) in state.listedPhotos {
            try write(photo: key, row, client: client, removedAt: at, reason: reason, into: &output)
        }
        for (key, row) in state.listedTestimonials {
            try write(testimonial: key, row, client: client, removedAt: at, reason: reason, into: &output)
        }
        state.listedPhotos = [:]
        state.listedTestimonials = [:]
    }

    private func write(
        photo key: String, _ row: State.PhotoRow, client: String, removedAt: Date? = nil, reason: String? = nil,
        into output: inout ProjectionOutput
    ) throws {
        try output.write(
            "portfolio_photos",
            [
                "photo_id": .text(key), "client_id": .text(client), "technician": row.photo.technician.rowValue,
                "content_hash": .text(row.photo.contentHash), "stage": .text(row.photo.stage),
                "angle": .text(row.photo.angle), "taken_at": .date(row.photo.takenAt),
                "approved_at": .date(row.approvedAt), "purpose": .text(row.purpose), "consent_id": .text(row.consentID),
                "listed": .bool(removedAt == nil), "removed_at": removedAt.rowValue, "removed_reason": reason.rowValue,
            ])
    }

    private func write(
        testimonial key: String, _ row: State.TestimonialRow, client: String, removedAt: Date? = nil,
        reason: String? = nil, into output: inout ProjectionOutput
    ) throws {
        try output.write(
            "portfolio_testimonials",
            [
                "testimonial_key": .text(key), "client_id": .text(client), "technician": row.technician.rowValue,
                "at": .date(row.at), "rating": .int(Int64(row.rating)),
                // A taken-down testimonial keeps no text: only that it existed and was removed.
                "text": removedAt == nil ? .text(row.text) : .null, "consent_id": .text(row.consentID),
                "listed": .bool(removedAt == nil), "removed_at": removedAt.rowValue, "removed_reason": reason.rowValue,
            ])
    }
}
