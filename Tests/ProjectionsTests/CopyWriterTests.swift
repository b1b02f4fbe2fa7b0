import EventStore
import Foundation
import Postgres
@testable import Projections
import TestSupport
import Testing

/// Every row of `projection`'s tables and fold states in `schema`, as text, in a stable order.
func tableSnapshot<P: FoldingProjection>(_ projection: P, schema: String, database: TestDatabase) async throws
    -> [String]
{
    var lines: [String] = []
    for table in projection.tables.map(\.name) + [projection.stateTable] {
        lines.append("-- \(table)")
        lines += try await rows(database, "SELECT t::text FROM \(identifier: schema).\(identifier: table) t ORDER BY 1")
    }
    return lines
}

@Suite("Writing a rebuild's rows with COPY")
struct CopyWriterTests {
    static let columns: [TableSpec.Column] = [
        .init("id", "integer NOT NULL"), .init("label", "text"), .init("big", "bigint"),
        .init("ratio", "double precision"), .init("flag", "boolean"), .init("at", "timestamptz"),
        .init("day", "date"), .init("ref", "uuid"), .init("doc", "jsonb"), .init("count", "bigint NOT NULL DEFAULT 0"),
    ]

    static let texts = [
        "", "plain", "O'Brien \"quoted\"", #"back\slash \N \\ \."#, "tab\there", "new\nline", "carriage\r\nreturn",
        "🧑‍🎨 ü 日本 \u{200B}", "\\.", "\u{7}bell\u{1F}unit", "null", "{\"not\": \"json\"}", "   ",
    ]

    /// Rows exercising every `RowValue` case and the awkward values of each.
    static func awkwardRows(offset: Int = 0, salt: String = "") -> [Row] {
        let doubles: [Double] = [
            0.1, -0.0, 0, 1e-300, 1.7976931348623157e308, -2.5, .nan, .infinity, 1e16, 123_456.789,
        ]
        let dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_772_360_430.123_456),
            Date(timeIntervalSince1970: -2_208_988_800.5), Date(timeIntervalSince1970: 4_102_444_799.999_9),
        ]
        let documents: [RowValue] = [
            .json(Data(#"{"a": "x\ty\\z\n", "b": [1, null, 2.50], "c": {"é": "🧑‍🎨"}}"#.utf8)), .json(Data("null".utf8)),
            .json(Data(" null ".utf8)), .json(Data("[]".utf8)), .json(Data("\"string\"".utf8)), .null,
            .text("a \"text\" in a jsonb column"), .int(42), .bool(false),
        ]
        var rows: [Row] = []
        for index in 0..<max(texts.count, doubles.count, documents.count) {
            var row: Row = [
                "id": .int(Int64(index + offset)),
                "label": .text(texts[index % texts.count] + salt),
                "big": index % 3 == 0 ? .int(Int64.max - Int64(index)) : index % 3 == 1 ? .int(Int64.min + 1) : .null,
                "ratio": .double(doubles[index % doubles.count]),
                "flag": index % 4 == 3 ? .null : .bool(index % 2 == 0),
                "at": .date(dates[index % dates.count]),
                "day": .text("2026-0\(index % 9 + 1)-28"),
                "ref": .text(UUID(uuidString: "9F0C4C3E-2B9A-4E0B-8E3B-00000000000\(index % 10)")?.uuidString ?? ""),
                "doc": documents[index % documents.count],
                "count": .int(Int64(index) * 1_000_000_007),
            ]
            if index % 5 == 4 { row["label"] = nil }  // a missing column is NULL on both paths
            rows.append(row)
        }
        return rows
    }

    @Test(
        "COPY stores awkward values exactly as the JSON path does, in every write mode",
        arguments: [TableSpec.Mode.insert, .upsert, .accumulate(["count"])])
    func awkwardValues(mode: TableSpec.Mode) async throws {
        try await TestDatabase.with(migrated: false) { database in
            let table = TableSpec(name: "awkward", columns: Self.columns, primaryKey: ["id"], mode: mode)
            try await database.pool.withConnection { connection in
                for schema in ["json_path", "copy_path"] {
                    try await connection.execute("CREATE SCHEMA \(identifier: schema)")
                    let columns = table.columns.map { "\(SQL.quoteIdentifier($0.name)) \($0.type)" }
                    try await connection.executeScript(
                        "CREATE TABLE \(schema).awkward (\(columns.joined(separator: ", ")), PRIMARY KEY (id))")
                }
            }
            // Two writes whose keys overlap: the second meets the first's rows as its mode says.
            let first = Self.awkwardRows()
            let second = Self.awkwardRows(offset: 5, salt: " again")
            for rows in [first, second] {
                try await database.pool.withTransaction { connection in
                    try await BulkWriter.write(rows, to: table, schema: "json_path", on: connection)
                    try await CopyWriter.write(rows, to: table, schema: "copy_path", on: connection)
                }
            }
            let expected = try await rows(database, "SELECT t::text FROM json_path.awkward t ORDER BY id")
            let copied = try await rows(database, "SELECT t::text FROM copy_path.awkward t ORDER BY id")
            #expect(copied == expected)
            #expect(expected.count == first.count + 5)
            #expect(CopyWriter.encode(first, for: table) != nil, "every value went through COPY, not the fallback")
            // The transaction is usable after an insert-mode duplicate (rolled back to its savepoint).
            #expect(try await rows(database, "SELECT count(*) FROM copy_path.awkward") == ["\(first.count + 5)"])
        }
    }

    @Test("a COPY the server rejects fails with the server's error and no rows")
    func rejectedValue() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let table = TableSpec(
                name: "strict", columns: [.init("id", "integer NOT NULL"), .init("n", "integer NOT NULL")],
                primaryKey: ["id"], mode: .insert)
            try await database.pool.withConnection { connection in
                try await connection.executeScript("CREATE TABLE strict (id integer PRIMARY KEY, n integer NOT NULL)")
            }
            let error = await #expect(throws: PostgresError.self) {
                try await database.pool.withTransaction { connection in
                    try await CopyWriter.write(
                        [["id": .int(1), "n": .int(1)], ["id": .int(2), "n": .text("x")]], to: table, schema: "public",
                        on: connection)
                }
            }
            #expect(error?.sqlState == "22P02")
            #expect(try await rows(database, "SELECT count(*) FROM strict") == ["0"])
        }
    }

    @Test("rows held back across batches are merged as the table's ON CONFLICT clause merges them")
    func mergeLater() {
        let others = ["n", "label"]
        let earlier: Row = ["id": .int(1), "n": .int(2), "label": .text("a")]
        let later: Row = ["id": .int(1), "n": .int(3)]
        #expect(FoldingBuilder<TimelineProjection>.mergeLater(earlier, later, mode: .upsert, others: others) == later)
        #expect(FoldingBuilder<TimelineProjection>.mergeLater(earlier, later, mode: .upsert, others: []) == earlier)
        #expect(
            FoldingBuilder<TimelineProjection>.mergeLater(earlier, later, mode: .accumulate(["n"]), others: others)
                == ["id": .int(1), "n": .int(5)])
        #expect(
            FoldingBuilder<TimelineProjection>.mergeLater(
                earlier, ["id": .int(1), "n": .double(1)], mode: .accumulate(["n"]), others: others) == nil)
        #expect(
            FoldingBuilder<TimelineProjection>.mergeLater(
                ["n": .int(.max)], ["n": .int(1)], mode: .accumulate(["n"]), others: others) == nil)
        #expect(
            FoldingBuilder<TimelineProjection>.mergeLater(
                ["n": .null], ["n": .int(1)], mode: .accumulate(["n"]), others: others) == ["n": .null])
    }

    @Test(
        "a rebuild that writes its held-back rows after every row, or only at the end, stores what following stores",
        arguments: [1, 100_000])
    func deferredRows(limit: Int) async throws {
        try await TestDatabase.with { database in
            let runner = ProjectionRunner(store: database.store, projections: ClinicProjections.all(), batchSize: 3)
            let fixture = ClinicHistoryFixture(store: database.store)
            for _ in 0..<4 { try await fixture.courseClient(UUID()) }
            try await runner.catchUp()
            try await compare(TimelineProjection(), limit: limit, database: database)
            try await compare(RevenueProjection(), limit: limit, database: database)
            try await compare(ScheduleProjection(), limit: limit, database: database)
            try await compare(TraceabilityProjection(), limit: limit, database: database)
            try await compare(ForecastFold(), limit: limit, database: database)
        }
    }

    /// Builds `projection` into `<name>_copy` (batches of 2, a cache of 2 states) and compares it with the live schema.
    private func compare<P: FoldingProjection>(_ projection: P, limit: Int, database: TestDatabase) async throws {
        let schema = projection.name + "_copy"
        try await database.pool.withConnection { connection in
            try await connection.execute("CREATE SCHEMA \(identifier: schema)")
            try await projection.createTables(in: schema, on: connection)
        }
        let builder = FoldingBuilder(projection: projection, schema: schema, capacity: 2, deferredLimit: limit)
        var checkpoint = Checkpoint.start
        while true {
            let page = try await database.store.readAll(after: checkpoint, limit: 2)
            guard !page.events.isEmpty else { break }
            let batch = ProjectionBatch(events: page.events)
            try await database.pool.withTransaction { try await builder.apply(batch, on: $0) }
            checkpoint = page.next
        }
        try await database.pool.withTransaction { try await builder.finish(on: $0) }
        let live = try await tableSnapshot(projection, schema: projection.name, database: database)
        let built = try await tableSnapshot(projection, schema: schema, database: database)
        #expect(built == live, "\(projection.name)")
        #expect(live.count > projection.tables.count + 1, "\(projection.name) has rows")
    }
}
