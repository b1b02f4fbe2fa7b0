import Foundation
import Postgres

/// One client's timeline as operators read it.
public struct ClientTimeline: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var position: Int64
        public var at: Date
        public var kind: String
        public var summary: String
        /// For a logged photo: its content hash, which names the image under the client.
        public var photoHash: String?
        /// The location the entry happened at or is about (its appointment's), else the client's latest location
        /// before it; nil before the client's first appointment. Its zone is where the entry's times are read.
        public var location: String? = nil
    }

    public var clientID: UUID
    public var displayName: String?
    public var erased: Bool
    public var registeredAt: Date?
    public var currency: String?
    public var paidMinor: Int64
    public var refundedMinor: Int64
    public var chargedMinor: Int64
    /// What the client still owes (negative: credit on account).
    public var balanceMinor: Int64
    public var sessionsPerformed: Int
    public var touchUpsPerformed: Int
    public var nextAppointmentAt: Date?
    public var nextAppointmentKind: String?
    public var entries: [Entry]
    /// Where the next appointment is.
    public var nextAppointmentLocation: String? = nil
    /// The location of the client's latest appointment event (for times of entries with no location).
    public var lastLocation: String? = nil
}

/// Reads the timeline projection.
public enum TimelineQueries {
    /// The client's timeline, or nil when the projection has never seen the client.
    public static func timeline(client: UUID, schema: String = "timeline", pool: ConnectionPool) async throws
        -> ClientTimeline?
    {
        try await pool.withConnection { connection in
            let summary = try await connection.query(
                """
                SELECT client_id, display_name, erased, registered_at, currency, paid_minor, refunded_minor,
                       charged_minor, balance_minor, sessions_performed, touch_ups_performed,
                       next_appointment_at, next_appointment_kind, next_appointment_location, last_location
                FROM \(identifier: schema).timeline_clients WHERE client_id = \(client)
                """)
            guard let row = summary.first else { return nil }
            let entries = try await connection.query(
                """
                SELECT position, at, kind, summary, photo_hash, location FROM \(identifier: schema).timeline_entries
                WHERE client_id = \(client) ORDER BY position
                """
            ).map { entry in
                let (position, at, kind, summary, photoHash, location) = try entry.decode(
                    (Int64, Date, String, String, String?, String?).self)
                return ClientTimeline.Entry(
                    position: position, at: at, kind: kind, summary: summary, photoHash: photoHash, location: location)
            }
            let (
                id, name, erased, registeredAt, currency, paid, refunded, charged, balance, sessions, touchUps,
                nextAt, nextKind, nextLocation, lastLocation
            ) = try row.decode(
                (
                    UUID, String?, Bool, Date?, String?, Int64, Int64, Int64, Int64, Int, Int, Date?, String?, String?,
                    String?
                ).self)
            return ClientTimeline(
                clientID: id, displayName: name, erased: erased, registeredAt: registeredAt, currency: currency,
                paidMinor: paid, refundedMinor: refunded, chargedMinor: charged, balanceMinor: balance,
                sessionsPerformed: sessions, touchUpsPerformed: touchUps, nextAppointmentAt: nextAt,
                nextAppointmentKind: nextKind, entries: entries, nextAppointmentLocation: nextLocation,
                lastLocation: lastLocation)
        }
    }

    /// A client with a long history, for the demo to show.
    public static func busiestClient(schema: String = "timeline", pool: ConnectionPool) async throws -> UUID? {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT client_id FROM \(identifier: schema).timeline_entries
                GROUP BY client_id ORDER BY count(*) DESC, client_id LIMIT 1
                """
            ).first?.decode(UUID.self)
        }
    }
}
