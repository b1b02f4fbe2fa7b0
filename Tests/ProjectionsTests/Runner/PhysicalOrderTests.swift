import Postgres
@testable import Projections
import TestSupport
import Testing

@Suite("A rebuild leaves a table's rows in its declared physical order")
struct PhysicalOrderTests {
    /// How many rows of `table` come, in physical order (`ctid`), before a row with a smaller `column`.
    static func outOfOrder(_ database: TestDatabase, _ table: String, by column: String) async throws -> Int {
        let answer = try await rows(
            database,
            """
            SELECT count(*) FROM (SELECT \(identifier: column) AS v, lag(\(identifier: column)) OVER (ORDER BY ctid) AS p
            FROM revenue.\(identifier: table)) t WHERE v < p
            """)
        return Int(answer.first ?? "") ?? -1
    }

    @Test(
        "revenue's tables read by a range of days are in day order after a rebuild (rows are written client by client)")
    func revenueTablesInDayOrder() async throws {
        try await TestDatabase.with { database in
            try await StreamOrderRebuildTests.appendHistory(database.store, count: 400)
            let revenue = RevenueProjection()
            let orders = revenue.tables.compactMap { table in table.physicalOrder.map { (table.name, $0) } }
            #expect(orders.count == 3, "revenue_daily, revenue_appointments, revenue_visits: \(orders)")
            let rebuilder = ProjectionRebuilder(store: database.store, batchSize: 5, progress: nil)
            #expect(try await rebuilder.rebuildAll([revenue]).isEmpty)
            for table in ["revenue_daily", "revenue_appointments", "revenue_visits"] {
                let count = try await rows(database, "SELECT count(*) FROM revenue.\(identifier: table)")
                #expect((Int(count.first ?? "") ?? 0) > 10, "\(table) has rows")
                #expect(try await Self.outOfOrder(database, table, by: "day") == 0, "\(table) is in day order")
            }
            // revenue_daily's rows were added up in key order (`SumStage`) and not clustered again, but the table is
            // marked clustered on its key as `CLUSTER` marks one.
            let clustered = try await rows(
                database,
                """
                SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'revenue' AND i.indisclustered
                ORDER BY 1
                """)
            #expect(clustered == ["revenue_appointments_pkey", "revenue_daily_pkey", "revenue_visits_i0"])
            // Without the declared order the client-by-client writing leaves days out of order (so the check above
            // can fail): the visits' rows in the order the fold wrote them, before any CLUSTER.
            let unordered = try await rows(
                database,
                """
                SELECT count(*) FROM (SELECT day AS v, lag(day) OVER (ORDER BY client_id, day) AS p
                FROM revenue.revenue_visits) t WHERE v < p
                """)
            #expect((Int(unordered.first ?? "") ?? 0) > 0, "clients' visits interleave in time")
        }
    }
}
