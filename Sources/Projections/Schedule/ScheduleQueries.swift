import Clinic
import Foundation
import Postgres

/// Answers schedule questions from the schedule projection: a day, what is coming, what was missed.
///
/// `day(starting:)` takes UTC calendar days, as in the clinic rules (`CalendarDay`); `localDay` reads each
/// appointment's day in its location's own time zone, as the location's front desk sees it.
public struct ScheduleQueries: Sendable {
    public let pool: ConnectionPool
    public var schema: String
    /// The schema holding `timeline_clients`, for client names.
    public var timelineSchema: String

    public init(pool: ConnectionPool, schema: String = "schedule", timelineSchema: String = "timeline") {
        self.pool = pool
        self.schema = schema
        self.timelineSchema = timelineSchema
    }

    /// Every appointment starting on the UTC day that begins at `day`, whatever its status,
    /// optionally for one location and/or technician, by start time.
    public func day(starting day: Date, location: String? = nil, technician: String? = nil) async throws
        -> [ScheduledAppointment]
    {
        try await appointments(
            from: day, to: day.addingTimeInterval(86_400), statuses: nil, location: location, technician: technician,
            limit: nil)
    }

    /// Every appointment whose start falls on a local calendar day in its location's IANA zone (UTC when the
    /// location has none or an unknown one), whatever its status, by start time: `day`, or, when it is nil, each
    /// location's own today at `now` (Auckland's today starts 13 hours before London's in December).
    public func localDay(
        _ day: CalendarDay?, now: Date = Date(), location: String? = nil, technician: String? = nil
    ) async throws -> [ScheduledAppointment] {
        // Zones run from UTC−12 to UTC+14: a local day lies within the UTC day before and the one after.
        let around = day ?? CalendarDay(now)
        return try await appointments(
            from: around.adding(days: -1).startDate, to: around.adding(days: 2).startDate, statuses: nil,
            location: location, technician: technician, limit: nil
        ).filter { appointment in
            let zone = TimeZone.location(appointment.timeZone)
            return CalendarDay(appointment.startsAt, in: zone) == (day ?? CalendarDay(now, in: zone))
        }
    }

    /// Booked or rescheduled appointments starting at or after `from`, soonest first.
    public func upcoming(from: Date, limit: Int = 50, location: String? = nil, technician: String? = nil)
        async throws -> [ScheduledAppointment]
    {
        try await appointments(
            from: from, to: nil, statuses: ["booked", "rescheduled"], location: location, technician: technician,
            limit: limit)
    }

    /// Cancelled and missed appointments whose slot started in [from, to).
    public func noShowsAndCancellations(from: Date, to: Date, location: String? = nil, technician: String? = nil)
        async throws -> [ScheduledAppointment]
    {
        try await appointments(
            from: from, to: to, statuses: ["cancelled", "no-show"], location: location, technician: technician,
            limit: nil)
    }

    /// Whether a location or technician id appears in the projection (for clear CLI errors).
    public func knows(location: String) async throws -> Bool {
        try await pool.withConnection { connection in
            try await !connection.query(
                """
                SELECT 1 FROM \(identifier: schema).schedule_locations WHERE location_id = \(location)
                UNION ALL SELECT 1 FROM \(identifier: schema).schedule_appointments WHERE location = \(location) LIMIT 1
                """
            ).isEmpty
        }
    }

    public func knows(technician: String) async throws -> Bool {
        try await pool.withConnection { connection in
            try await !connection.query(
                """
                SELECT 1 FROM \(identifier: schema).schedule_technicians WHERE technician_id = \(technician)
                UNION ALL
                SELECT 1 FROM \(identifier: schema).schedule_appointments WHERE technician = \(technician) LIMIT 1
                """
            ).isEmpty
        }
    }

    /// A place appointments happen, as the schedule knows it.
    public struct Place: Sendable, Hashable {
        public var id: String
        public var name: String?
        /// IANA time zone, e.g. `Europe/London`.
        public var timeZone: String?
    }

    /// Every location the schedule knows, by id.
    public func locations() async throws -> [Place] {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT location_id, name, time_zone FROM \(identifier: schema).schedule_locations ORDER BY location_id"
            ).map { row in
                let (id, name, timeZone) = try row.decode((String, String?, String?).self)
                return Place(id: id, name: name, timeZone: timeZone)
            }
        }
    }

    /// Every active technician the schedule knows (ids and names), by id.
    public func technicians() async throws -> [(id: String, name: String?)] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT technician_id, display_name FROM \(identifier: schema).schedule_technicians
                WHERE active ORDER BY technician_id
                """
            ).map { row in
                let (id, name) = try row.decode((String, String?).self)
                return (id: id, name: name)
            }
        }
    }

    private func appointments(
        from: Date, to: Date?, statuses: [String]?, location: String?, technician: String?, limit: Int?
    ) async throws -> [ScheduledAppointment] {
        let statusList = statuses.map { "{" + $0.joined(separator: ",") + "}" }
        let (rows, names) = try await pool.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT a.appointment_id::text, a.client_id::text, a.kind, a.session_number, a.starts_at, a.ends_at,
                       a.status, a.location, l.name, a.technician, t.display_name, a.reschedules, a.cancelled_by,
                       a.reason, l.time_zone
                FROM \(identifier: schema).schedule_appointments a
                LEFT JOIN \(identifier: schema).schedule_locations l ON l.location_id = a.location
                LEFT JOIN \(identifier: schema).schedule_technicians t ON t.technician_id = a.technician
                WHERE a.starts_at >= \(from)
                  AND (\(to)::timestamptz IS NULL OR a.starts_at < \(to))
                  AND (\(statusList)::text[] IS NULL OR a.status = ANY(\(statusList)::text[]))
                  AND (\(location)::text IS NULL OR a.location = \(location))
                  AND (\(technician)::text IS NULL OR a.technician = \(technician))
                ORDER BY a.starts_at, a.location, a.technician, a.appointment_id
                LIMIT \(limit)
                """)
            let appointments = try rows.map {
                try $0.decode(
                    (
                        String, String, String, Int?, Date, Date, String, String, String?, String, String?, Int,
                        String?, String?, String?
                    ).self)
            }
            let names = try await ClientNames.lookup(appointments.map(\.1), schema: timelineSchema, on: connection)
            return (appointments, names)
        }
        return rows.map {
            appointment, client, kind, session, startsAt, endsAt, status, location, locationName, technician,
            technicianName, reschedules, cancelledBy, reason, timeZone in
            ScheduledAppointment(
                appointmentID: appointment, clientID: client, clientName: names[client], kind: kind,
                sessionNumber: session, startsAt: startsAt, endsAt: endsAt, status: status, location: location,
                locationName: locationName, technician: technician, technicianName: technicianName,
                reschedules: reschedules, cancelledBy: cancelledBy, reason: reason, timeZone: timeZone)
        }
    }
}

/// One appointment as the schedule shows it.
public struct ScheduledAppointment: Sendable, Hashable, Codable {
    public var appointmentID: String
    public var clientID: String
    /// From the timeline; "(erased)" for a forgotten client.
    public var clientName: String?
    /// `consultation`, `session` or `touch-up`.
    public var kind: String
    public var sessionNumber: Int?
    public var startsAt: Date
    public var endsAt: Date
    /// `booked`, `rescheduled`, `cancelled`, `no-show` or `completed`.
    public var status: String
    public var location: String
    public var locationName: String?
    public var technician: String
    public var technicianName: String?
    public var reschedules: Int
    public var cancelledBy: String?
    public var reason: String?
    /// The location's IANA time zone (e.g. `Europe/London`), when the location is known.
    public var timeZone: String? = nil

    /// "session 2", "touch-up", "consultation".
    public var label: String { sessionNumber.map { "\(kind) \($0)" } ?? kind }
}
