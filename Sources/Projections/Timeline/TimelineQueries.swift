import Clinic
import EventStore
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
    ///
    /// `schema` is the live projection's (`timeline`) or an as-of snapshot's. The client's row comes from its
    /// `timeline_clients`; the entries are folded from the client's stream (`TimelineProjection.entries`) up to the
    /// position that schema stands at (the projection's checkpoint, or the snapshot's position), and for a
    /// snapshot effective at a date, only the events dated by then: the same events its row was folded from.
    public static func timeline(client: UUID, schema: String = "timeline", store: EventStore) async throws
        -> ClientTimeline?
    {
        let found = try await store.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT t.client_id, t.display_name, t.erased, t.registered_at, t.currency, t.paid_minor,
                       t.refunded_minor, t.charged_minor, t.balance_minor, t.sessions_performed,
                       t.touch_ups_performed, t.next_appointment_at, t.next_appointment_kind,
                       t.next_appointment_location, t.last_location,
                       coalesce(s.position, c.position), s.effective_at
                FROM \(identifier: schema).timeline_clients t
                LEFT JOIN projection_snapshots s ON s.schema_name = \(schema)
                LEFT JOIN projection_checkpoints c ON c.name = \(schema)
                WHERE t.client_id = \(client)
                """
            ).first
        }
        guard let row = found else { return nil }
        let (
            id, name, erased, registeredAt, currency, paid, refunded, charged, balance, sessions, touchUps,
            nextAt, nextKind, nextLocation, lastLocation, standsAt, effectiveAt
        ) = try row.decode(
            (
                UUID, String?, Bool, Date?, String?, Int64, Int64, Int64, Int64, Int, Int, Date?, String?, String?,
                String?, Int64?, Date?
            ).self)
        guard let standsAt else { throw NotATimelineSchema(schema: schema) }
        let stream = try await store.readWholeStream(try Clinic.StreamName.client(id).eventStreamName)
            .filter { $0.position <= standsAt }
        var batch = ProjectionBatch(events: stream)
        if let effectiveAt {
            batch = EffectiveAtProjection.filtered(batch, effectiveAt: effectiveAt)
        }
        return ClientTimeline(
            clientID: id, displayName: name, erased: erased, registeredAt: registeredAt, currency: currency,
            paidMinor: paid, refundedMinor: refunded, chargedMinor: charged, balanceMinor: balance,
            sessionsPerformed: sessions, touchUpsPerformed: touchUps, nextAppointmentAt: nextAt,
            nextAppointmentKind: nextKind,
            entries: try TimelineProjection.entries(of: batch.items, client: id.uuidString.lowercased()),
            nextAppointmentLocation: nextLocation, lastLocation: lastLocation)
    }

    /// `timeline(client:schema:store:)` was asked to read a schema that is neither a projection's (with a
    /// checkpoint of that name) nor an as-of snapshot's: the position its entries stop at is unknown.
    public struct NotATimelineSchema: Error, CustomStringConvertible {
        public var schema: String
        public var description: String {
            "schema \(schema) is neither the timeline projection's nor an as-of snapshot's"
        }
    }

    /// A client with a long history (the most events in their stream), for the demo to show.
    public static func busiestClient(schema: String = "timeline", pool: ConnectionPool) async throws -> UUID? {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT t.client_id FROM \(identifier: schema).timeline_clients t
                JOIN events e ON e.stream = 'client-' || t.client_id::text
                GROUP BY t.client_id ORDER BY count(*) DESC, t.client_id LIMIT 1
                """
            ).first?.decode(UUID.self)
        }
    }
}
