import Foundation
import Postgres
import TestSupport
import Testing

@Suite("COPY FROM STDIN in binary format")
struct PostgresCopyTests {
    static let awkward = [
        "", "plain", "O'Brien \"quoted\"", #"back\slash \N \\ \."#, "tab\there", "new\nline", "carriage\r\nreturn",
        "🧑‍🎨 ü 日本", "\\.", "\u{7}bell\u{1F}unit", String(repeating: "long ", count: 5000),
    ]

    static let table = """
        CREATE TABLE every (n integer PRIMARY KEY, s smallint, big bigint, f double precision, ok boolean, id uuid,
            at timestamptz, day date, body text, doc jsonb, raw json)
        """
    static let columns = ["n", "s", "big", "f", "ok", "id", "at", "day", "body", "doc", "raw"]

    /// One row of `every`: each value appended through the buffer, and the text PostgreSQL shows for it
    /// (`col::text`, NULL as nil).
    struct Case: Sendable {
        var append: @Sendable (inout CopyBinaryRows) throws -> Void
        var expected: [String?]
    }

    static let cases: [Case] = [
        Case(
            append: { rows in
                try rows.appendInteger(0, as: .integer)
                try rows.appendInteger(Int64(Int16.min), as: .smallint)
                rows.appendInt64(.min)
                rows.appendFloat64(0.1)
                rows.appendBool(true)
                try rows.appendUUID(text: "9F0C4C3E-2B9A-4E0B-8E3B-0123456789AB")
                try rows.appendTimestamp(Date(timeIntervalSince1970: 1_772_360_430.123_456))
                try rows.appendDate(text: "2026-03-01")
                try rows.appendText("")
                try rows.appendJSONB(#"{"a": "x\ty\\z", "b": [1, null], "é": "🧑‍🎨"}"#)
                try rows.appendJSON(#"{"b": 1,  "a": "ü"}"#)
            },
            expected: [
                "0", "-32768", "-9223372036854775808", "0.1", "true", "9f0c4c3e-2b9a-4e0b-8e3b-0123456789ab",
                "2026-03-01 10:20:30.123456+00", "2026-03-01", "", #"{"a": "x\ty\\z", "b": [1, null], "é": "🧑‍🎨"}"#,
                #"{"b": 1,  "a": "ü"}"#,
            ]),
        Case(
            append: { rows in
                rows.appendInt32(.max)
                rows.appendInt16(.max)
                try rows.appendInteger(.max, as: .bigint)
                rows.appendFloat64(-0.0)
                rows.appendBool(false)
                rows.appendUUID(UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255)))
                // Before 2000 and before 1970, with a fraction: negative microseconds.
                try rows.appendTimestamp(Date(timeIntervalSince1970: -0.000_001))
                rows.appendDate(daysSince2000: -1)
                try rows.appendText("🧑‍🎨 ü 日本 \u{200B}")
                try rows.appendJSONB(utf8: Data("[]".utf8))
                try rows.appendJSON(utf8: Data("null".utf8))
            },
            expected: [
                "2147483647", "32767", "9223372036854775807", "-0", "false", "00010203-0405-0607-0809-0a0b0c0d0eff",
                "1969-12-31 23:59:59.999999+00", "1999-12-31", "🧑‍🎨 ü 日本 \u{200B}", "[]", "null",
            ]),
        Case(
            append: { rows in
                rows.appendInt32(.min)
                rows.appendInt16(-1)
                try rows.appendInteger(-1, as: .bigint)
                rows.appendFloat64(.nan)
                rows.appendNull()
                try rows.appendUUID(text: "00000000-0000-0000-0000-000000000000")
                try rows.appendTimestamp(text: "1600-02-29T12:00:00.5+02:00")
                try rows.appendDate(text: "1600-02-29T23:59:59.999Z")
                try rows.appendText(Self.awkward[3] + Self.awkward[6])
                try rows.appendJSONB(#""text""#)
                rows.appendNull()
            },
            expected: [
                "-2147483648", "-1", "-1", "NaN", nil, "00000000-0000-0000-0000-000000000000",
                "1600-02-29 10:00:00.5+00", "1600-02-29", Self.awkward[3] + Self.awkward[6], #""text""#, nil,
            ]),
        Case(
            append: { rows in
                rows.appendInt32(3)
                rows.appendNull()
                rows.appendInt64(1 << 53 + 1)
                rows.appendFloat64(-.infinity)
                rows.appendNull()
                rows.appendNull()
                rows.appendTimestamp(microsecondsSince2000: 0)
                try rows.appendDate(Date(timeIntervalSince1970: 946_684_799.5))  // the UTC day: 1999-12-31
                rows.appendNull()
                rows.appendNull()
                rows.appendNull()
            },
            expected: [
                "3", nil, "9007199254740993", "-Infinity", nil, nil, "2000-01-01 00:00:00+00", "1999-12-31", nil, nil,
                nil,
            ]),
        Case(
            append: { rows in
                rows.appendInt32(4)
                rows.appendInt16(0)
                rows.appendInt64(0)
                rows.appendFloat64(.greatestFiniteMagnitude)
                rows.appendBool(true)
                try rows.appendUUID(text: "ffffffff-ffff-ffff-ffff-ffffffffffff")
                try rows.appendTimestamp(text: "9999-12-31 23:59:59.999999Z")
                try rows.appendDate(text: "9999-12-31")
                try rows.appendText(Self.awkward[10])
                try rows.appendJSONB("null")
                try rows.appendJSON(" [1, 2.50] ")
            },
            expected: [
                "4", "0", "0", "1.7976931348623157e+308", "true", "ffffffff-ffff-ffff-ffff-ffffffffffff",
                "9999-12-31 23:59:59.999999+00", "9999-12-31", Self.awkward[10], "null", " [1, 2.50] ",
            ]),
    ]

    @Test("copies every type's binary form exactly: edges, NULLs, empty and non-ASCII text, dates before 2000")
    func roundTrip() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.executeScript(Self.table)
                var rows = CopyBinaryRows()
                for test in Self.cases {
                    rows.beginRow(fieldCount: Self.columns.count)
                    try test.append(&rows)
                }
                for (index, text) in Self.awkward.enumerated() {
                    rows.beginRow(fieldCount: Self.columns.count)
                    rows.appendInt32(Int32(100 + index))
                    for _ in 0..<7 { rows.appendNull() }
                    try rows.appendText(text)
                    try rows.appendJSONB(#"{"t": "\#(text.count)"}"#)
                    rows.appendNull()
                }
                #expect(rows.rowCount == Self.cases.count + Self.awkward.count)
                let copied = try await connection.copyIn(into: "every", schema: "public", columns: Self.columns, rows)
                #expect(copied == rows.rowCount)
                let stored = try await connection.query(
                    """
                    SELECT n::text, s::text, big::text, f::text, ok::text, id::text, at::text, day::text, body::text,
                        doc::text, raw::text
                    FROM every ORDER BY n
                    """)
                #expect(stored.count == rows.rowCount)
                var byKey: [String: [String?]] = [:]
                for row in stored {
                    let fields = try (0..<Self.columns.count).map { try row.decode(String?.self, at: $0) }
                    byKey[fields[0] ?? ""] = fields
                }
                for (index, test) in Self.cases.enumerated() {
                    let fields = try #require(byKey[test.expected[0] ?? ""], "row \(index)")
                    for (column, expected) in test.expected.enumerated() {
                        #expect(fields[column] == expected, "row \(index), \(Self.columns[column])")
                    }
                }
                for (index, text) in Self.awkward.enumerated() {
                    let fields = try #require(byKey[String(100 + index)])
                    #expect(fields[8] == text)
                    #expect(fields[9] == #"{"t": "\#(text.count)"}"#)
                }
                // Exactly the doubles' bits: -0 keeps its sign, 0.1 is the double nearest it.
                let doubles = try await connection.query("SELECT f FROM every WHERE n IN (0, 2147483647) ORDER BY n")
                let bits = [Double(0.1).bitPattern, Double(-0.0).bitPattern]
                #expect(try doubles.map { try $0.decode(Double.self, at: 0).bitPattern } == bits)
                // No rows copy nothing, and are not an error.
                #expect(
                    try await connection.copyIn(into: "every", schema: "public", columns: ["n"], CopyBinaryRows()) == 0)
                #expect(
                    try await connection.query("SELECT count(*) FROM every").first?.decode(Int.self, at: 0)
                        == stored.count)
            }
        }
    }

    @Test("a value its column type cannot hold is refused before anything is sent, and appends nothing")
    func refusedValues() throws {
        var rows = CopyBinaryRows()
        rows.appendInt32(1)
        let before = rows.rowBytes
        let tooBig = #expect(throws: CopyBinaryRows.InvalidValue.self) {
            try rows.appendInteger(Int64(Int32.max) + 1, as: .integer)
        }
        #expect(tooBig?.description == "cannot write 2147483648 as integer: out of range (-2147483648...2147483647)")
        #expect(throws: CopyBinaryRows.InvalidValue.self) { try rows.appendInteger(-32769, as: .smallint) }
        #expect(throws: CopyBinaryRows.InvalidValue.self) { try rows.appendInteger(1, as: .text) }
        let notUUID = #expect(throws: CopyBinaryRows.InvalidValue.self) { try rows.appendUUID(text: "not-a-uuid") }
        #expect(notUUID?.type == .uuid && notUUID?.value == "not-a-uuid")
        #expect(throws: CopyBinaryRows.InvalidValue.self) {
            try rows.appendUUID(text: "{9f0c4c3e-2b9a-4e0b-8e3b-0123456789ab}")
        }
        for day in ["2026-02-30", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-01x", ""] {
            #expect(throws: CopyBinaryRows.InvalidValue.self, "\(day)") { try rows.appendDate(text: day) }
        }
        for time in ["yesterday", "2026-03-01", "2026-03-01T10:20"] {
            #expect(throws: CopyBinaryRows.InvalidValue.self, "\(time)") { try rows.appendTimestamp(text: time) }
        }
        #expect(throws: CopyBinaryRows.InvalidValue.self) {
            try rows.appendTimestamp(Date(timeIntervalSince1970: 1e300))
        }
        #expect(rows.rowBytes == before)
    }

    @Test("a column declaration names its binary type; other types and arrays have none")
    func columnTypes() {
        let named: [(String, CopyBinaryRows.ColumnType?)] = [
            ("integer NOT NULL", .integer), ("INT", .integer), ("int4", .integer),
            ("bigint NOT NULL DEFAULT 0", .bigint),
            ("int8", .bigint), ("smallint", .smallint), ("double precision NOT NULL", .doublePrecision),
            ("float8", .doublePrecision), ("boolean", .boolean), ("bool", .boolean), ("uuid NOT NULL", .uuid),
            ("text", .text), ("timestamptz", .timestamptz), ("timestamp with time zone", .timestamptz),
            ("date NOT NULL", .date), ("jsonb", .jsonb), ("json", .json), ("  text", .text), ("text[]", nil),
            ("integer []", nil), ("text ARRAY", nil), ("numeric", nil), ("timestamp", nil), ("interval", nil),
            ("internal", nil), ("datetime", nil), ("character varying", nil), ("", nil),
        ]
        for (declaration, type) in named {
            #expect(CopyBinaryRows.ColumnType(declaration: declaration) == type, "\(declaration)")
        }
    }

    @Test("the file is the signature header, per row the field count and length-prefixed fields, and the trailer")
    func fileLayout() throws {
        var rows = CopyBinaryRows()
        #expect(rows.isEmpty)
        rows.beginRow(fieldCount: 3)
        rows.appendInt32(1)
        try rows.appendText("é")
        rows.appendNull()
        rows.beginRow(fieldCount: 0)
        #expect(!rows.isEmpty && rows.rowCount == 2)
        let first: [UInt8] = [0, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0xC3, 0xA9, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(rows.rowBytes == first + [0, 0])
    }

    @Test("a field the column cannot read, or a row of the wrong length, fails the COPY on the server clearly")
    func serverRejects() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE TABLE counts (id integer PRIMARY KEY, n integer NOT NULL)")
                var wide = CopyBinaryRows()
                wide.beginRow(fieldCount: 2)
                wide.appendInt32(1)
                wide.appendInt64(10)  // 8 bytes for an integer column
                let width = await #expect(throws: PostgresError.self) {
                    try await connection.copyIn(into: "counts", schema: "public", columns: ["id", "n"], wide)
                }
                #expect(width?.sqlState == "22P03")
                var short = CopyBinaryRows()
                short.beginRow(fieldCount: 1)
                short.appendInt32(1)
                let fields = await #expect(throws: PostgresError.self) {
                    try await connection.copyIn(into: "counts", schema: "public", columns: ["id", "n"], short)
                }
                #expect(fields?.sqlState == "22P04")
                #expect(try await connection.query("SELECT count(*) FROM counts").first?.decode(Int.self, at: 0) == 0)
                #expect(await connection.isReusable())
            }
        }
    }

    @Test("a rejected row fails the COPY with the server's error, fails the transaction, keeps the connection")
    func rejectedRow() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE TABLE counts (id integer PRIMARY KEY, n integer NOT NULL)")
                var good = CopyBinaryRows()
                good.beginRow(fieldCount: 2)
                good.appendInt32(1)
                good.appendInt32(10)
                var bad = CopyBinaryRows()
                bad.beginRow(fieldCount: 2)
                bad.appendInt32(2)
                bad.appendNull()
                try await connection.execute("BEGIN")
                try await connection.copyIn(into: "counts", schema: "public", columns: ["id", "n"], good)
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.copyIn(into: "counts", schema: "public", columns: ["id", "n"], bad)
                }
                #expect(error?.code == .server)
                #expect(error?.sqlState == "23502")
                // The transaction is failed: the next statement is refused until ROLLBACK.
                let refused = await #expect(throws: PostgresError.self) { try await connection.query("SELECT 1") }
                #expect(refused?.sqlState == "25P02")
                try await connection.execute("ROLLBACK")
                #expect(try await connection.query("SELECT count(*) FROM counts").first?.decode(Int.self, at: 0) == 0)
                // A duplicate key is a unique violation naming the constraint.
                try await connection.copyIn(into: "counts", schema: "public", columns: ["id", "n"], good)
                let duplicate = await #expect(throws: PostgresError.self) {
                    try await connection.copyIn(into: "counts", schema: "public", columns: ["id", "n"], good)
                }
                #expect(duplicate?.sqlState == "23505")
                #expect(duplicate?.constraint == "counts_pkey")
                // The connection is usable and idle again.
                #expect(try await connection.query("SELECT n FROM counts").first?.decode(Int.self, at: 0) == 10)
                #expect(await connection.isReusable())
            }
        }
    }

    @Test("refuses statements that are not COPY FROM STDIN, and bound parameters, and stays usable")
    func refusesOtherStatements() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE TABLE t (a text)")
                try await connection.execute("INSERT INTO t VALUES ('x')")
                await #expect(throws: PostgresError.self) { try await connection.copyIn("SELECT 1", data: []) }
                await #expect(throws: PostgresError.self) {
                    try await connection.copyIn("COPY t TO STDOUT", data: [])
                }
                await #expect(throws: PostgresError.self) {
                    try await connection.copyIn("COPY t FROM STDIN WHERE a = \("x")", data: [])
                }
                let missing = await #expect(throws: PostgresError.self) {
                    try await connection.copyIn(into: "nope", schema: "public", columns: ["a"], CopyBinaryRows())
                }
                #expect(missing?.sqlState == "42P01")
                // Text format through the statement form: the data is sent as given.
                #expect(try await connection.copyIn("COPY t FROM STDIN", data: Array("y\n".utf8)) == 1)
                #expect(
                    try await connection.query("SELECT a FROM t ORDER BY a").map { try $0.decode(String.self, at: 0) }
                        == ["x", "y"])
                #expect(await connection.isReusable())
            }
        }
    }
}
