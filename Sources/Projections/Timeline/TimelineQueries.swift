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
                       next_appointment_at, next_appointment_kind
                FROM \(identifier: schema).timeline_clients WHERE client_id = \(client)
                """)
            guard let row = summary.first else { return nil }
            let entries = try await connection.query(
                """
                SELECT position, at, kind, summary, photo_hash FROM \(identifier: schema).timeline_entries
                WHERE client_id = \(client) ORDER BY position
                """
            ).map { entry in
                let (position, at, kind, summary, photoHash) = try entry.decode(
                    (Int64, Date, String, String, String?).self)
                return ClientTimeline.Entry(
                    position: position, at: at, kind: kind, summary: summary, photoHash: photoHash)
            }
            return ClientTimeline(
                clientID: try row.decode(at: 0), displayName: try row.decode(at: 1), erased: try row.decode(at: 2),
                registeredAt: try row.decode(at: 3), currency: try row.decode(at: 4), paidMinor: try row.decode(at: 5),
                refundedMinor: try row.decode(at: 6), chargedMinor: try row.decode(at: 7),
                balanceMinor: try row.decode(at: 8), sessionsPerformed: try row.decode(at: 9),
                touchUpsPerformed: try row.decode(at: 10), nextAppointmentAt: try row.decode(at: 11),
                nextAppointmentKind: try row.decode(at: 12), entries: entries)
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
            ).first?.decode(UUID.self, at: 0)
        }
    }
}
