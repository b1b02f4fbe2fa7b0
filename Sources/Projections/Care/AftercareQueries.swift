import Foundation
import Postgres

/// Answers "which treatments went without aftercare?" from the aftercare projection.
public struct AftercareQueries: Sendable {
    public let pool: ConnectionPool
    /// The schema holding `aftercare_treatments` (the live one, or an auditor's snapshot).
    public var schema: String
    /// The schema holding `timeline_clients`, for names.
    public var timelineSchema: String

    /// How long after a treatment its aftercare may be given before it is flagged: a day.
    public static let grace: TimeInterval = 86_400

    public init(pool: ConnectionPool, schema: String = "aftercare", timelineSchema: String = "timeline") {
        self.pool = pool
        self.schema = schema
        self.timelineSchema = timelineSchema
    }

    /// Sessions and touch-ups performed in [`from`, `asOf` − a day) whose aftercare was not given within a day:
    /// `missing` (none given by `asOf`) or `late` (given, more than a day after). Clients since forgotten are left
    /// out: nothing can be given to them any more. Oldest first, at most `limit`.
    public func followUps(
        asOf: Date, from: Date? = nil, location: String? = nil, technician: String? = nil, limit: Int = 500
    ) async throws -> [AftercareFollowUp] {
        let cutoff = asOf.addingTimeInterval(-Self.grace)
        return try await pool.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT client_id::text, appointment_id::text, kind, session_number, location, technician,
                       performed_at, CASE WHEN given_at <= \(asOf) THEN given_at END
                FROM \(identifier: schema).aftercare_treatments
                WHERE NOT client_forgotten AND performed_at < \(cutoff)
                  AND (\(from)::timestamptz IS NULL OR performed_at >= \(from))
                  AND (given_at IS NULL OR given_at > \(asOf)
                       OR given_at > performed_at + make_interval(secs => \(Self.grace)))
                  AND (\(location)::text IS NULL OR location = \(location))
                  AND (\(technician)::text IS NULL OR technician = \(technician))
                ORDER BY performed_at, appointment_id
                LIMIT \(limit)
                """)
            var followUps = try rows.map { row in
                let (client, appointment, kind, session, location, technician, performedAt, givenAt) =
                    try row.decode((String, String, String, Int?, String, String, Date, Date?).self)
                return AftercareFollowUp(
                    clientID: client, appointmentID: appointment, kind: kind, sessionNumber: session,
                    location: location, technician: technician, performedAt: performedAt, givenAt: givenAt)
            }
            let names = try await ClientNames.lookup(followUps.map(\.clientID), schema: timelineSchema, on: connection)
            for index in followUps.indices { followUps[index].clientName = names[followUps[index].clientID] }
            return followUps
        }
    }
}

/// A performed treatment whose aftercare was not given within a day.
public struct AftercareFollowUp: Sendable, Hashable, Codable {
    public var clientID: String
    public var clientName: String?
    public var appointmentID: String
    /// `session` or `touch-up`.
    public var kind: String
    public var sessionNumber: Int?
    public var location: String
    public var technician: String
    public var performedAt: Date
    /// When aftercare was given after all (more than a day late); nil when it is still missing.
    public var givenAt: Date?

    /// `missing` or `late`.
    public var status: String { givenAt == nil ? "missing" : "late" }

    public init(
        clientID: String, clientName: String? = nil, appointmentID: String, kind: String, sessionNumber: Int?,
        location: String, technician: String, performedAt: Date, givenAt: Date?
    ) {
        self.clientID = clientID
        self.clientName = clientName
        self.appointmentID = appointmentID
        self.kind = kind
        self.sessionNumber = sessionNumber
        self.location = location
        self.technician = technician
        self.performedAt = performedAt
        self.givenAt = givenAt
    }
}
