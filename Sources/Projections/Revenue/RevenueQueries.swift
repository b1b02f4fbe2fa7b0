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
    /// Clients who completed their course, of those who agreed a plan.
    public var courseCompletionRate: Double?
    /// Clients who came back for a touch-up, of those who completed a course.
    public var touchUpReturnRate: Double?
}

/// Reads the revenue projection.
public enum RevenueQueries {
    /// Lines for days `from`...`to` (inclusive, `YYYY-MM-DD`), grouped as asked.
    public static func report(
        from: String, to: String, by grouping: RevenueGrouping, schema: String = "revenue", pool: ConnectionPool
    ) async throws -> RevenueReport {
        let group: SQL
        switch grouping {
        case .day: group = "to_char(day, 'YYYY-MM-DD')"
        case .month: group = "to_char(day, 'YYYY-MM')"
        case .location: group = "CASE WHEN location = '' THEN '(none)' ELSE location END"
        case .technician: group = "CASE WHEN technician = '' THEN '(none)' ELSE technician END"
        case .service: group = "service"
        }
        return try await pool.withConnection { connection in
            let lines = try await connection.query(
                """
                SELECT \(fragment: group) AS g, currency, sum(cash_received_minor)::bigint, sum(earned_minor)::bigint,
                       sum(refunds_minor)::bigint, sum(deposits_taken_minor)::bigint,
                       sum(deposits_applied_minor)::bigint, sum(deposits_forfeited_minor)::bigint, sum(services)::bigint
                FROM \(identifier: schema).revenue_daily
                WHERE day >= \(from)::date AND day <= \(to)::date
                GROUP BY 1, 2 ORDER BY 1, 2
                """
            ).map { row in
                RevenueReport.Line(
                    group: try row.decode(at: 0), currency: try row.decode(at: 1), cashReceivedMinor: try row.decode(at: 2),
                    earnedMinor: try row.decode(at: 3), refundsMinor: try row.decode(at: 4),
                    depositsTakenMinor: try row.decode(at: 5), depositsAppliedMinor: try row.decode(at: 6),
                    depositsForfeitedMinor: try row.decode(at: 7), services: try row.decode(at: 8))
            }
            let positions = try await connection.query(
                """
                SELECT currency, sum(deposits_held_minor)::bigint, sum(outstanding_minor)::bigint,
                       count(*) FILTER (WHERE outstanding_minor > 0)
                FROM \(identifier: schema).revenue_clients WHERE currency IS NOT NULL
                GROUP BY currency ORDER BY currency
                """
            ).map { row in
                RevenueReport.Position(
                    currency: try row.decode(at: 0), depositsHeldMinor: try row.decode(at: 1),
                    outstandingMinor: try row.decode(at: 2), clientsOwing: try row.decode(at: 3))
            }
            let rates = try await connection.query(
                """
                SELECT count(*) FILTER (WHERE course_started), count(*) FILTER (WHERE course_completed_at IS NOT NULL),
                       count(*) FILTER (WHERE course_completed_at IS NOT NULL AND touch_ups > 0)
                FROM \(identifier: schema).revenue_clients
                """)
            let started = try rates.first?.decode(Int.self, at: 0) ?? 0
            let completed = try rates.first?.decode(Int.self, at: 1) ?? 0
            let returned = try rates.first?.decode(Int.self, at: 2) ?? 0
            return RevenueReport(
                from: from, to: to, grouping: grouping, lines: lines, positions: positions,
                courseCompletionRate: started > 0 ? Double(completed) / Double(started) : nil,
                touchUpReturnRate: completed > 0 ? Double(returned) / Double(completed) : nil)
        }
    }
}
