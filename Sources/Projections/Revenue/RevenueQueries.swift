import Foundation
import Postgres

/// How a revenue report groups its lines.
public enum RevenueGrouping: String, Sendable, CaseIterable {
    case day, month, location, technician, service
}

/// A revenue report over a date range.
public struct RevenueReport: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public var group: String
        public var currency: String
        public var cashReceivedMinor: Int64
        public var earnedMinor: Int64
        public var refundsMinor: Int64
        public var depositsTakenMinor: Int64
        public var depositsAppliedMinor: Int64
        public var depositsForfeitedMinor: Int64
        public var services: Int64
    }

    /// Money per currency at the end of the projection (not limited to the range).
    public struct Position: Sendable, Hashable {
        public var currency: String
        public var depositsHeldMinor: Int64
        public var outstandingMinor: Int64
        public var clientsOwing: Int
    }

    public var from: String
    public var to: String
    public var grouping: RevenueGrouping
    public var lines: [Line]
    public var positions: [Position]
    /// Rates within the period, per location or technician when the report is grouped by one, else one line
    /// named `all`.
    public var rates: [RevenueRates]
    /// Of the plans agreed in the period, the share completed by its last day.
    public var courseCompletionRate: Double? { total.courseCompletionRate }
    /// Of the courses completed in the period, the share back for a touch-up by its last day.
    public var touchUpReturnRate: Double? { total.touchUpReturnRate }

    /// The rates over every group.
    public var total: RevenueRates {
        rates.reduce(into: RevenueRates(group: "all")) { total, line in total.add(line) }
    }
}

/// What a studio manager reads beside the money, for one group over a report's period (`from`...`to`).
///
/// Each figure counts from a cohort inside the period, never all-time: courses by the day their plan was agreed
/// (credited to the location and technician of the consultation before it), completions of those by the last day,
/// courses completed in the period and their first touch-up by the last day, treatments performed in the period
/// and whether the client booked again within 90 days, and appointments by their slot's day.
public struct RevenueRates: Sendable, Hashable {
    public var group: String
    /// Plans agreed in the period.
    public var coursesStarted = 0
    /// Of those, completed by the last day.
    public var coursesCompleted = 0
    /// Courses completed in the period.
    public var coursesFinished = 0
    /// Of those, back for a touch-up by the last day.
    public var touchUpReturns = 0
    /// Sessions and touch-ups performed in the period.
    public var treatments = 0
    /// Of those, followed by the client's next booking within 90 days.
    public var rebookedWithin90Days = 0
    /// Appointments whose slot fell in the period and that came due (attended, missed or cancelled).
    public var appointmentsDue = 0
    /// Of those, missed.
    public var noShows = 0
    /// Of those, cancelled by the client inside the cancellation window.
    public var lateCancellations = 0

    public init(group: String) { self.group = group }

    public var courseCompletionRate: Double? { Self.rate(coursesCompleted, coursesStarted) }
    public var touchUpReturnRate: Double? { Self.rate(touchUpReturns, coursesFinished) }
    public var rebookingRate: Double? { Self.rate(rebookedWithin90Days, treatments) }
    public var noShowRate: Double? { Self.rate(noShows, appointmentsDue) }
    public var lateCancellationRate: Double? { Self.rate(lateCancellations, appointmentsDue) }

    static func rate(_ part: Int, _ whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }

    mutating func add(_ other: RevenueRates) {
        coursesStarted += other.coursesStarted
        coursesCompleted += other.coursesCompleted
        coursesFinished += other.coursesFinished
        touchUpReturns += other.touchUpReturns
        treatments += other.treatments
        rebookedWithin90Days += other.rebookedWithin90Days
        appointmentsDue += other.appointmentsDue
        noShows += other.noShows
        lateCancellations += other.lateCancellations
    }
}

/// Reads the revenue projection.
public enum RevenueQueries {
    /// Lines for days `from`...`to` (inclusive, `YYYY-MM-DD`), grouped as asked.
    public static func report(
        from: String, to: String, by grouping: RevenueGrouping, schema: String = "revenue", pool: ConnectionPool
    ) async throws -> RevenueReport {
        // The rows are grouped by a value that is cheap to make for every row, and each group's name is made once
        // (`to_char` for each of a year's ~10k rows was half the report's time at 1M events: 12.5 → 4.9 ms).
        let group: SQL
        let name: SQL
        switch grouping {
        case .day: (group, name) = ("day", "to_char(g, 'YYYY-MM-DD')")
        case .month: (group, name) = ("date_trunc('month', day::timestamp)", "to_char(g, 'YYYY-MM')")
        case .location: (group, name) = ("CASE WHEN location = '' THEN '(none)' ELSE location END", "g")
        case .technician: (group, name) = ("CASE WHEN technician = '' THEN '(none)' ELSE technician END", "g")
        case .service: (group, name) = ("service", "g")
        }
        return try await pool.withConnection { connection in
            let lines = try await connection.query(
                """
                SELECT \(fragment: name), currency, cash, earned, refunds, taken, applied, forfeited, services
                FROM (
                    SELECT \(fragment: group) AS g, currency, sum(cash_received_minor)::bigint AS cash,
                           sum(earned_minor)::bigint AS earned, sum(refunds_minor)::bigint AS refunds,
                           sum(deposits_taken_minor)::bigint AS taken, sum(deposits_applied_minor)::bigint AS applied,
                           sum(deposits_forfeited_minor)::bigint AS forfeited, sum(services)::bigint AS services
                    FROM \(identifier: schema).revenue_daily
                    WHERE day >= \(from)::date AND day <= \(to)::date
                    GROUP BY 1, 2
                ) lines
                ORDER BY 1, 2
                """
            ).map { row in
                let (group, currency, cash, earned, refunds, taken, applied, forfeited, services) = try row.decode(
                    (String, String, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self)
                return RevenueReport.Line(
                    group: group, currency: currency, cashReceivedMinor: cash, earnedMinor: earned,
                    refundsMinor: refunds, depositsTakenMinor: taken, depositsAppliedMinor: applied,
                    depositsForfeitedMinor: forfeited, services: services)
            }
            let positions = try await connection.query(
                """
                SELECT currency, sum(deposits_held_minor)::bigint, sum(outstanding_minor)::bigint,
                       count(*) FILTER (WHERE outstanding_minor > 0)
                FROM \(identifier: schema).revenue_clients WHERE currency IS NOT NULL
                GROUP BY currency ORDER BY currency
                """
            ).map { row in
                let (currency, held, outstanding, owing) = try row.decode((String, Int64, Int64, Int).self)
                return RevenueReport.Position(
                    currency: currency, depositsHeldMinor: held, outstandingMinor: outstanding, clientsOwing: owing)
            }
            let rates = try await Self.rates(
                from: from, to: to, by: grouping, schema: schema, on: connection)
            return RevenueReport(
                from: from, to: to, grouping: grouping, lines: lines, positions: positions, rates: rates)
        }
    }

    /// The period's rates, per location or technician when grouped so, else one line `all`.
    static func rates(
        from: String, to: String, by grouping: RevenueGrouping, schema: String, on connection: PostgresConnection
    ) async throws -> [RevenueRates] {
        func group(_ location: String, _ technician: String) -> SQL {
            switch grouping {
            case .location: SQL(stringLiteral: "COALESCE(NULLIF(\(location), ''), '(none)')")
            case .technician: SQL(stringLiteral: "COALESCE(NULLIF(\(technician), ''), '(none)')")
            case .day, .month, .service: "'all'"
            }
        }
        var byGroup: [String: RevenueRates] = [:]
        func update(_ name: String, _ change: (inout RevenueRates) -> Void) {
            change(&byGroup[name, default: RevenueRates(group: name)])
        }
        let clients: SQL = "\(identifier: schema).revenue_clients"
        // The period as instants: a time's UTC day lies in `from`...`to` exactly when the time is at or after
        // `from`'s first instant and before the day after `to` (compared as stored, for every row, instead of
        // converting every row's time to a day: 10.4 → 3.2 ms on revenue_clients at 1M events).
        let start: SQL = "(\(from)::date::timestamp AT TIME ZONE 'UTC')"
        let end: SQL = "((\(to)::date + 1)::timestamp AT TIME ZONE 'UTC')"
        for row in try await connection.query(
            """
            SELECT \(fragment: group("course_location", "course_technician")), count(*),
                   count(*) FILTER (WHERE course_completed_at < \(fragment: end))
            FROM \(fragment: clients)
            WHERE course_agreed_at >= \(fragment: start) AND course_agreed_at < \(fragment: end)
            GROUP BY 1
            """)
        {
            let (name, started, completed) = try row.decode((String, Int, Int).self)
            update(name) {
                $0.coursesStarted = started; $0.coursesCompleted = completed
            }
        }
        for row in try await connection.query(
            """
            SELECT \(fragment: group("course_location", "course_technician")), count(*),
                   count(*) FILTER (WHERE first_touch_up_at < \(fragment: end))
            FROM \(fragment: clients)
            WHERE course_completed_at >= \(fragment: start) AND course_completed_at < \(fragment: end)
            GROUP BY 1
            """)
        {
            let (name, finished, returned) = try row.decode((String, Int, Int).self)
            update(name) {
                $0.coursesFinished = finished; $0.touchUpReturns = returned
            }
        }
        for row in try await connection.query(
            """
            SELECT \(fragment: group("location", "technician")), count(*),
                   count(*) FILTER (WHERE (next_booked_at AT TIME ZONE 'UTC')::date <= day + 90)
            FROM \(identifier: schema).revenue_visits
            WHERE day BETWEEN \(from)::date AND \(to)::date
            GROUP BY 1
            """)
        {
            let (name, treatments, rebooked) = try row.decode((String, Int, Int).self)
            update(name) {
                $0.treatments = treatments; $0.rebookedWithin90Days = rebooked
            }
        }
        for row in try await connection.query(
            """
            SELECT \(fragment: group("location", "technician")), sum(came_due)::bigint, sum(no_shows)::bigint,
                   sum(late_cancellations)::bigint
            FROM \(identifier: schema).revenue_appointments
            WHERE day BETWEEN \(from)::date AND \(to)::date
            GROUP BY 1
            """)
        {
            let (name, due, noShows, late) = try row.decode((String, Int, Int, Int).self)
            update(name) {
                $0.appointmentsDue = due; $0.noShows = noShows; $0.lateCancellations = late
            }
        }
        return byGroup.values.sorted { $0.group < $1.group }
    }
}
