import Foundation
import Postgres
import TestSupport
import Testing

@Suite("COPY FROM STDIN")
struct PostgresCopyTests {
    static let awkward = [
        "", "plain", "O'Brien \"quoted\"", #"back\slash \N \\ \."#, "tab\there", "new\nline", "carriage\r\nreturn",
        "🧑‍🎨 ü 日本", "\\.", "\u{7}bell\u{1F}unit", String(repeating: "long ", count: 5000),
    ]

    @Test("copies awkward text, NULLs and typed values exactly")
    func copiesAwkwardValues() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.execute(
                    "CREATE TABLE notes (n integer, body text, big bigint, at timestamptz, doc jsonb, ok boolean)")
                var rows = CopyTextRows()
                for (index, text) in Self.awkward.enumerated() {
                    rows.appendPlain(String(index))
                    rows.append(text)
                    rows.appendPlain(String(Int64.max - Int64(index)))
                    rows.appendPlain("2026-03-01T10:20:30.123Z")
                    rows.append(#"{"a": "x\ty\\z", "b": [1, null]}"#)
                    rows.appendPlain(index % 2 == 0 ? "true" : "false")
                    rows.endRow()
                }
                rows.appendPlain("99")
                for _ in 0..<5 { rows.appendNull() }
                rows.endRow()
                let copied = try await connection.copyIn(
                    into: "notes", schema: "public", columns: ["n", "body", "big", "at", "doc", "ok"], rows)
                #expect(copied == Self.awkward.count + 1)
                let stored = try await connection.query(
                    "SELECT n, body, big, at, doc::text, ok FROM notes ORDER BY n")
                #expect(stored.count == Self.awkward.count + 1)
                for (index, row) in stored.enumerated() where index < Self.awkward.count {
                    #expect(try row.decode(Int.self, at: 0) == index)
                    #expect(try row.decode(String.self, at: 1) == Self.awkward[index])
                    #expect(try row.decode(Int64.self, at: 2) == Int64.max - Int64(index))
                    #expect(abs(try row.decode(Date.self, at: 3).timeIntervalSince1970 - 1_772_360_430.123) < 0.000_001)
                    #expect(try row.decode(String.self, at: 4) == #"{"a": "x\ty\\z", "b": [1, null]}"#)
                    #expect(try row.decode(Bool.self, at: 5) == (index % 2 == 0))
                }
                let last = try #require(stored.last)
                #expect(try last.decode(Int.self, at: 0) == 99)
                #expect(try last.decode(String?.self, at: 1) == nil)
                #expect(try last.decode(Int64?.self, at: 2) == nil)
                #expect(try last.decode(String?.self, at: 4) == nil)
                #expect(try last.decode(Bool?.self, at: 5) == nil)
                // Empty input copies nothing and is not an error.
                #expect(
                    try await connection.copyIn(into: "notes", schema: "public", columns: ["n"], CopyTextRows()) == 0)
            }
        }
    }

    @Test("a rejected row fails the COPY with the server's error, fails the transaction, keeps the connection")
    func rejectedRow() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE TABLE counts (id integer PRIMARY KEY, n integer NOT NULL)")
                var good = CopyTextRows()
                good.appendPlain("1")
                good.appendPlain("10")
                good.endRow()
                var bad = CopyTextRows()
                bad.appendPlain("2")
                bad.append("not a number")
                bad.endRow()
                try await connection.execute("BEGIN")
                try await connection.copyIn(into: "counts", schema: "public", columns: ["id", "n"], good)
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.copyIn(into: "counts", schema: "public", columns: ["id", "n"], bad)
                }
                #expect(error?.code == .server)
                #expect(error?.sqlState == "22P02")
                #expect(error?.message.contains("not a number") == true)
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
                await #expect(throws: PostgresError.self) { try await connection.copyIn("SELECT 1", CopyTextRows()) }
                await #expect(throws: PostgresError.self) {
                    try await connection.copyIn("COPY t TO STDOUT", CopyTextRows())
                }
                await #expect(throws: PostgresError.self) {
                    try await connection.copyIn("COPY t FROM STDIN WHERE a = \("x")", CopyTextRows())
                }
                let missing = await #expect(throws: PostgresError.self) {
                    try await connection.copyIn(into: "nope", schema: "public", columns: ["a"], CopyTextRows())
                }
                #expect(missing?.sqlState == "42P01")
                #expect(try await connection.query("SELECT a FROM t").first?.decode(String.self, at: 0) == "x")
                #expect(await connection.isReusable())
            }
        }
    }
}
