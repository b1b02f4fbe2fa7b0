import EventStore
import Foundation
import Postgres

/// The `client_photos` table (`Schema/0009_photos.sql`): sealed image and thumbnail bytes per client and hash.
struct PhotoStore: Sendable {
    let pool: ConnectionPool

    /// One stored photo, still sealed.
    struct Row: Sendable {
        var subject: String
        var contentHash: String
        var mediaType: String
        var sizeBytes: Int
        var width: Int
        var height: Int
        var image: SealedBlob
        var thumbnailMediaType: String
        var thumbnail: SealedBlob
    }

    /// Inserts `row`; a row already stored under the same client and hash is kept (same content, same seal).
    func insert(_ row: Row) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                """
                INSERT INTO client_photos (subject, content_hash, media_type, size_bytes, width, height, key_id,
                    sealed_image, thumbnail_media_type, sealed_thumbnail)
                VALUES (\(row.subject), \(row.contentHash), \(row.mediaType), \(row.sizeBytes), \(row.width),
                    \(row.height), \(row.image.keyID), \(Bytea(row.image.combined)), \(row.thumbnailMediaType),
                    \(Bytea(row.thumbnail.combined)))
                ON CONFLICT (subject, content_hash) DO NOTHING
                """)
        }
    }

    /// Removes a row that no `client.photo-logged` event names (an upload whose event was rejected).
    func removeUnreferenced(subject: String, contentHash: String) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                """
                DELETE FROM client_photos p WHERE p.subject = \(subject) AND p.content_hash = \(contentHash)
                AND NOT EXISTS (SELECT 1 FROM events e WHERE e.stream = p.subject
                    AND e.type = 'client.photo-logged' AND e.data->>'contentHash' = p.content_hash)
                """)
        }
    }

    /// One sealed blob of a stored photo (the image or its thumbnail) with its media type, or nil. Only the blob
    /// asked for is read: a thumbnail request does not pull the full image out of the table.
    func blob(subject: String, contentHash: String, thumbnail: Bool) async throws
        -> (blob: SealedBlob, mediaType: String)?
    {
        try await pool.withConnection { connection -> (blob: SealedBlob, mediaType: String)? in
            let rows =
                thumbnail
                ? try await connection.query(
                    """
                    SELECT key_id, sealed_thumbnail, thumbnail_media_type FROM client_photos
                    WHERE subject = \(subject) AND content_hash = \(contentHash)
                    """)
                : try await connection.query(
                    """
                    SELECT key_id, sealed_image, media_type FROM client_photos
                    WHERE subject = \(subject) AND content_hash = \(contentHash)
                    """)
            guard let row = rows.first else { return nil }
            let (keyID, sealed, mediaType) = try row.decode((UUID, Bytea, String).self)
            return (SealedBlob(keyID: keyID, combined: Data(sealed.bytes)), mediaType)
        }
    }

    /// The hashes stored for `subject`.
    func hashes(subject: String) async throws -> Set<String> {
        try await pool.withConnection { connection in
            let rows = try await connection.query(
                "SELECT content_hash FROM client_photos WHERE subject = \(subject)")
            return Set(try rows.map { try $0.decode(String.self) })
        }
    }

    /// Every client (stream name) with at least one stored photo.
    func subjects() async throws -> [String] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT DISTINCT subject FROM client_photos ORDER BY subject").map {
                try $0.decode(String.self)
            }
        }
    }
}
