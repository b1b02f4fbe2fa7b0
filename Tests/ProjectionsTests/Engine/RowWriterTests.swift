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
        lines += try await database.rowsAsText(schema: schema, table: table)
    }
    return lines
}

@Suite("Writing projection rows: one writer, one merge policy per mode")
struct RowWriterTests {
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

    /// What a double column holds for `value`: no negative zero, NULL for NaN and the infinities.
    static func expectedDouble(_ value: RowValue?) -> Double? {
        guard case .double(let number)? = value, number.isFinite else { return nil }
        return number == 0 ? 0 : number
    }

    @Test(
        "every awkward value is stored as given, and overlapping writes meet the stored rows as the mode says (live, fresh, fresh with COPY first for every mode)",
        arguments: [TableSpec.Mode.insert, .upsert, .accumulate(["count"])], [0, 1, 2])
    func awkwardValues(mode: TableSpec.Mode, way: Int) async throws {
        try await TestDatabase.with(migrated: false) { database in
            let table = TableSpec(name: "awkward", columns: Self.columns, primaryKey: ["id"], mode: mode)
            try await database.pool.withConnection { connection in
                let columns = table.columns.map { "\(SQL.quoteIdentifier($0.name)) \($0.type)" }
                try await connection.executeScript(
                    "CREATE TABLE awkward (\(columns.joined(separator: ", ")), PRIMARY KEY (id))")
            }
            // Two writes whose keys overlap (ids 5...): the second meets the first's rows as its mode says.
            let first = Self.awkwardRows()
            let second = Self.awkwardRows(offset: 5, salt: " again")
            for rows in [first, second] {
                try await database.pool.withTransaction { connection in
                    try await RowWriter.write(
                        rows, to: table, schema: "public", on: connection, fresh: way > 0, keysNew: way > 1)
                }
            }
            var expected: [Int64: Row] = [:]
            for row in first { if case .int(let id)? = row["id"] { expected[id] = row } }
            for row in second {
                guard case .int(let id)? = row["id"] else { continue }
                guard let earlier = expected[id] else {
                    expected[id] = row
                    continue
                }
                switch mode {
                case .insert: break
                case .upsert: expected[id] = row
                case .accumulate:
                    var merged = row
                    if case .int(let a)? = earlier["count"], case .int(let b)? = row["count"] {
                        merged["count"] = .int(a + b)
                    }
                    expected[id] = merged
                }
            }
            #expect(try await rows(database, "SELECT count(*) FROM awkward") == ["\(expected.count)"])
            for (id, row) in expected.sorted(by: { $0.key < $1.key }) {
                var label: String?
                if case .text(let text)? = row["label"] { label = text }
                var big: Int64?
                if case .int(let number)? = row["big"] { big = number }
                var flag: Bool?
                if case .bool(let value)? = row["flag"] { flag = value }
                var at = 0.0
                if case .date(let date)? = row["at"] { at = date.timeIntervalSince1970 }
                var doc: String?
                switch row["doc"] {
                case .json(let data)?: doc = String(decoding: data, as: UTF8.self)
                case .text(let text)?: doc = "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
                case .int(let number)?: doc = String(number)
                case .bool(let value)?: doc = value ? "true" : "false"
                default: doc = nil
                }
                if doc?.trimmingCharacters(in: .whitespaces) == "null" { doc = nil }
                var count: Int64 = 0
                if case .int(let number)? = row["count"] { count = number }
                let ratio = Self.expectedDouble(row["ratio"])
                let same = try await rows(
                    database,
                    """
                    SELECT label IS NOT DISTINCT FROM \(label), big IS NOT DISTINCT FROM \(big),
                           ratio IS NOT DISTINCT FROM \(ratio), flag IS NOT DISTINCT FROM \(flag),
                           abs(extract(epoch FROM at) - \(at)) < 0.001, doc IS NOT DISTINCT FROM \(doc)::jsonb,
                           count = \(count)
                    FROM awkward WHERE id = \(id)
                    """)
                #expect(same == ["t|t|t|t|t|t|t"], "row \(id): \(row)")
            }
        }
    }

    @Test("a JSON document for a column that is not json or jsonb is refused with the table and column named")
    func jsonInPlainColumn() throws {
        let table = TableSpec(
            name: "plain", columns: [.init("id", "integer"), .init("note", "text")], primaryKey: ["id"], mode: .insert)
        #expect(throws: EngineError.self) {
            try RowWriter.encode([["id": .int(1), "note": .json(Data("{}".utf8))]], for: table)
        }
        #expect(
            EngineError.jsonInPlainColumn(table: "plain", column: "note").description.contains("plain.note"))
    }

    @Test(
        "a value its column cannot hold fails naming the table and column, a row the server rejects with its error; no rows"
    )
    func rejectedValue() async throws {
        try await TestDatabase.with(migrated: false) { database in
            let table = TableSpec(
                name: "strict",
                columns: [.init("id", "integer NOT NULL"), .init("n", "integer NOT NULL"), .init("ref", "uuid")],
                primaryKey: ["id"], mode: .insert)
            try await database.pool.withConnection { connection in
                try await connection.executeScript(
                    "CREATE TABLE strict (id integer PRIMARY KEY, n integer NOT NULL, ref uuid)")
            }
            let refused: [(Row, String)] = [
                (["id": .int(2), "n": .text("x")], "strict.n: cannot write x as integer"),
                (
                    ["id": .int(2), "n": .int(Int64(Int32.max) + 1)],
                    "strict.n: cannot write 2147483648 as integer: out of range"
                ),
                (
                    ["id": .int(2), "n": .int(Int64(Int32.min) - 1)],
                    "strict.n: cannot write -2147483649 as integer: out of range"
                ),
                (["id": .int(2), "n": .double(1)], "strict.n: cannot write 1.0 as integer"),
                (["id": .int(2), "n": .bool(true)], "strict.n: cannot write true as integer"),
                (
                    ["id": .int(2), "n": .int(1), "ref": .text("not a uuid")],
                    "strict.ref: cannot write not a uuid as uuid"
                ),
            ]
            for (row, message) in refused {
                let error = await #expect(throws: RowWriter.ValueDoesNotFit.self) {
                    try await database.pool.withTransaction { connection in
                        try await RowWriter.write(
                            [["id": .int(1), "n": .int(1)], row], to: table, schema: "public", on: connection)
                    }
                }
                #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "")")
            }
            let error = await #expect(throws: PostgresError.self) {
                try await database.pool.withTransaction { connection in
                    try await RowWriter.write(
                        [["id": .int(1), "n": .int(1)], ["id": .int(2), "n": .null]], to: table, schema: "public",
                        on: connection)
                }
            }
            #expect(error?.sqlState == "23502")
            #expect(try await rows(database, "SELECT count(*) FROM strict") == ["0"])
        }
    }

    @Test(
        "a date is stored as the instant and day its millisecond text names, as the text COPY stored it",
        arguments: [false, true])
    func datesAsTheirText(fresh: Bool) async throws {
        let seconds: [Double] = [
            1_772_360_430, 1_772_360_430.123_456, 1_772_360_430.999_6, 0.000_5, -0.000_5, -0.000_4, 0.000_499,
            86_399.999_6, -86_400.000_6, -2_208_988_800.5, 4_102_444_799.999_9, 253_402_300_799, 253_402_300_799.5,
            -11_676_096_000, -11_676_096_000.25, -11_676_096_001, -12_219_292_800, -12_219_292_801, -20_000_000_000.5,
            -30_000_000_000,
        ]
        try await TestDatabase.with(migrated: false) { database in
            let table = TableSpec(
                name: "dates",
                columns: [
                    .init("id", "integer NOT NULL"), .init("at", "timestamptz"), .init("day", "date"),
                    .init("label", "text"),
                ], primaryKey: ["id"], mode: .upsert)
            try await database.pool.withConnection { connection in
                try await connection.executeScript(
                    "CREATE TABLE dates (id integer PRIMARY KEY, at timestamptz, day date, label text)")
            }
            let written: [Row] = seconds.enumerated().map { index, value in
                let date = Date(timeIntervalSince1970: value)
                return ["id": .int(Int64(index)), "at": .date(date), "day": .date(date), "label": .date(date)]
            }
            try await database.pool.withTransaction { connection in
                try await RowWriter.write(written, to: table, schema: "public", on: connection, fresh: fresh)
            }
            for (index, value) in seconds.enumerated() {
                let text = RowValue.iso8601(Date(timeIntervalSince1970: value))
                let same = try await rows(
                    database,
                    """
                    SELECT at = \(text)::timestamptz, day = \(text)::date, label = \(text)
                    FROM dates WHERE id = \(index)
                    """)
                #expect(same == ["t|t|t"], "\(value): \(text)")
            }
        }
    }

    @Test("the merge in memory is the ON CONFLICT clause's, and what it cannot merge starts a new run")
    func mergePolicy() {
        let columns: [TableSpec.Column] = [.init("id", "integer"), .init("n", "bigint"), .init("label", "text")]
        func policy(_ mode: TableSpec.Mode, _ columns: [TableSpec.Column] = columns) -> MergePolicy {
            MergePolicy(TableSpec(name: "t", columns: columns, primaryKey: ["id"], mode: mode))
        }
        let earlier: Row = ["id": .int(1), "n": .int(2), "label": .text("a")]
        let later: Row = ["id": .int(1), "n": .int(3)]
        #expect(policy(.insert).merge(earlier, later) == earlier)
        #expect(policy(.insert).conflictClause == #"ON CONFLICT ("id") DO NOTHING"#)
        #expect(policy(.upsert).merge(earlier, later) == later)
        #expect(policy(.upsert).conflictClause.hasSuffix(#""n" = EXCLUDED."n", "label" = EXCLUDED."label""#))
        #expect(policy(.upsert, [.init("id", "integer")]).merge(earlier, later) == earlier)
        #expect(policy(.upsert, [.init("id", "integer")]).conflictClause == #"ON CONFLICT ("id") DO NOTHING"#)
        // Sums add; the other columns take the later row's value, a missing one NULL (as EXCLUDED has it).
        #expect(policy(.accumulate(["n"])).merge(earlier, later) == ["id": .int(1), "n": .int(5)])
        #expect(policy(.accumulate(["n"])).conflictClause.contains(#""n" = t."n" + EXCLUDED."n""#))
        #expect(policy(.accumulate(["n"])).merge(earlier, ["id": .int(1), "n": .double(1)]) == nil)
        #expect(policy(.accumulate(["n"])).merge(["n": .int(.max)], ["n": .int(1)]) == nil)
        #expect(policy(.accumulate(["n"])).merge(["n": .null], ["n": .int(1)]) == ["n": .null])
        // Rows naming their columns in another order than the table's: sums still found and set by name.
        #expect(
            policy(.accumulate(["n"])).merge(
                ["label": .text("a"), "n": .int(2), "id": .int(1)], ["n": .int(3), "label": .text("b"), "id": .int(1)])
                == ["id": .int(1), "n": .int(5), "label": .text("b")])
        #expect(
            policy(.accumulate(["n", "label"])).merge(["n": .int(2)], ["label": .null, "n": .null])
                == ["label": .null, "n": .null])
        // A held key: an insert (or an upsert of key columns only) keeps the first row, an upsert takes the
        // latest; room made in advance changes nothing.
        for (mode, columns, kept) in [
            (TableSpec.Mode.insert, columns, earlier), (.upsert, [.init("id", "integer")], earlier),
            (.upsert, columns, later),
        ] {
            var held = KeyedRows()
            held.reserveCapacity(16)
            held.add(earlier, policy: policy(mode, columns))
            held.add(["id": .int(2)], policy: policy(mode, columns))
            held.add(later, policy: policy(mode, columns))
            #expect(held.runs == [[kept, ["id": .int(2)]]], "\(mode)")
            #expect(held.count == 2)
        }
        // A batch's rows: an unmergeable pair ends the run, so both reach the table in order.
        var rows = KeyedRows()
        let accumulate = policy(.accumulate(["n"]))
        rows.add(["id": .int(1), "n": .int(.max)], policy: accumulate)
        rows.add(["id": .int(2), "n": .int(1)], policy: accumulate)
        rows.add(["id": .int(2), "n": .int(1)], policy: accumulate)
        rows.add(["id": .int(1), "n": .int(1)], policy: accumulate)
        #expect(
            rows.runs == [
                [["id": .int(1), "n": .int(.max)], ["id": .int(2), "n": .int(2)]], [["id": .int(1), "n": .int(1)]],
            ])
        #expect(rows.count == 3)
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
