import Foundation
import Postgres

/// One client found by a search.
public struct ClientMatch: Sendable, Hashable {
    public var clientID: UUID
    public var name: String?
    /// The last appointment that took place (consultation held, session or touch-up performed).
    public var lastVisitAt: Date?
    /// Where that last visit was (a location id), so it can be read in that location's time zone.
    public var lastVisitLocation: String?
    public var nextAppointmentAt: Date?
    public var nextAppointmentKind: String?
    /// Where the next appointment is (a location id).
    public var nextAppointmentLocation: String?
}

/// Searches the blind index (`SearchProjection`): the query is normalised and hashed as the index was,
/// and a client matches when every term of the query is among theirs.
public struct SearchQueries: Sendable {
    public let pool: ConnectionPool
    public let key: BlindIndexKey
    public var schema: String
    public var timelineSchema: String
    public var scheduleSchema: String

    public init(
        pool: ConnectionPool, key: BlindIndexKey, schema: String = "search", timelineSchema: String = "timeline",
        scheduleSchema: String = "schedule"
    ) {
        self.pool = pool
        self.key = key
        self.schema = schema
        self.timelineSchema = timelineSchema
        self.scheduleSchema = scheduleSchema
    }

    /// Clients matching `text` (name, e-mail or phone, or parts of them), by name; at most `limit`.
    public func search(_ text: String, limit: Int = 50) async throws -> [ClientMatch] {
        let terms = SearchTerms.query(text).map(key.hash)
        guard !terms.isEmpty else { return [] }
        let array = "{" + terms.joined(separator: ",") + "}"
        let limit = min(max(1, limit), 500)
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT s.client_id, t.display_name, t.next_appointment_at, t.next_appointment_kind,
                       t.next_appointment_location, v.starts_at, v.location
                FROM \(identifier: schema).search_clients s
                LEFT JOIN \(identifier: timelineSchema).timeline_clients t ON t.client_id = s.client_id
                LEFT JOIN LATERAL (
                    SELECT a.starts_at, a.location FROM \(identifier: scheduleSchema).schedule_appointments a
                    WHERE a.client_id = s.client_id AND a.status = 'completed'
                    ORDER BY a.starts_at DESC LIMIT 1) v ON true
                WHERE string_to_array(s.terms, ' ') @> \(array)::text[] AND NOT coalesce(t.erased, false)
                ORDER BY t.display_name NULLS LAST, s.client_id
                LIMIT \(limit)
                """
            ).map { row in
                let (client, name, nextAt, nextKind, nextLocation, lastVisit, lastLocation) = try row.decode(
                    (UUID, String?, Date?, String?, String?, Date?, String?).self)
                return ClientMatch(
                    clientID: client, name: name, lastVisitAt: lastVisit, lastVisitLocation: lastLocation,
                    nextAppointmentAt: nextAt, nextAppointmentKind: nextKind, nextAppointmentLocation: nextLocation)
            }
        }
    }
}
