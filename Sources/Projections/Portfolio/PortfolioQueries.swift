import Foundation
import Postgres

/// One listed (or taken-down) portfolio photo.
public struct PortfolioPhoto: Sendable, Hashable, Codable {
    public var photoID: UUID
    public var clientID: UUID
    /// The technician it is attributed to (nil when no performed session could be linked).
    public var technician: String?
    public var contentHash: String
    public var stage: String
    public var angle: String
    public var takenAt: Date
    public var approvedAt: Date
    public var purpose: String
    /// Set on the take-down list: when and why it left the portfolio.
    public var removedAt: Date?
    public var removedReason: String?
}

/// One testimonial attributed to a technician.
public struct PortfolioTestimonial: Sendable, Hashable, Codable {
    public var clientID: UUID
    public var technician: String?
    public var at: Date
    public var rating: Int
    /// Nil once taken down.
    public var text: String?
    public var removedAt: Date?
    public var removedReason: String?
}

/// Reads the portfolio projection.
public struct PortfolioQueries: Sendable {
    public let pool: ConnectionPool
    public var schema: String

    public init(pool: ConnectionPool, schema: String = "portfolio") {
        self.pool = pool
        self.schema = schema
    }

    /// Listed photos (marketing consent valid), optionally of one technician, newest approval first.
    public func photos(technician: String? = nil, listed: Bool = true) async throws -> [PortfolioPhoto] {
        try await pool.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT photo_id, client_id, technician, content_hash, stage, angle, taken_at, approved_at, purpose,
                    removed_at, removed_reason
                FROM \(identifier: schema).portfolio_photos
                WHERE listed = \(listed) AND (\(technician)::text IS NULL OR technician = \(technician))
                ORDER BY \(fragment: listed ? "approved_at DESC" : "removed_at DESC"), photo_id
                """)
            return try rows.map { row in
                let (photo, client, technician, hash, stage, angle, takenAt, approvedAt, purpose, removedAt, reason) =
                    try row.decode(
                        (UUID, UUID, String?, String, String, String, Date, Date, String, Date?, String?).self)
                return PortfolioPhoto(
                    photoID: photo, clientID: client, technician: technician, contentHash: hash, stage: stage,
                    angle: angle, takenAt: takenAt, approvedAt: approvedAt, purpose: purpose, removedAt: removedAt,
                    removedReason: reason)
            }
        }
    }

    /// Photos taken down (consent withdrawn or client forgotten): what to remove from websites and print.
    public func takeDowns() async throws -> [PortfolioPhoto] {
        try await photos(technician: nil, listed: false)
    }

    /// Testimonials, listed or taken down, optionally of one technician.
    public func testimonials(technician: String? = nil, listed: Bool = true) async throws -> [PortfolioTestimonial] {
        try await pool.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT client_id, technician, at, rating, text, removed_at, removed_reason
                FROM \(identifier: schema).portfolio_testimonials
                WHERE listed = \(listed) AND (\(technician)::text IS NULL OR technician = \(technician))
                ORDER BY at DESC, testimonial_key
                """)
            return try rows.map { row in
                let (client, technician, at, rating, text, removedAt, reason) = try row.decode(
                    (UUID, String?, Date, Int, String?, Date?, String?).self)
                return PortfolioTestimonial(
                    clientID: client, technician: technician, at: at, rating: rating, text: text,
                    removedAt: removedAt, removedReason: reason)
            }
        }
    }
}
