import Foundation
import Postgres
import TestSupport
import Testing

@Suite("A PostgreSQL connection")
struct PostgresConnectionTests {
    @Test("round-trips every supported type through bound parameters")
    func roundTripsTypes() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let id = UUID()
        let date = Date(timeIntervalSince1970: 1_764_294_869.123456)
        let text = "O'Brien; DROP TABLE events; -- \"quoted\" \\ 🧑‍🎨 ü"
        let rows = try await connection.query(
            """
            SELECT \(Int16(-12))::int2, \(Int32(1_000_000))::int4, \(Int64.max)::int8, \(text)::text,
                   \(true)::bool, \(2.5)::float8, \(id)::uuid, \(date)::timestamptz,
                   \(Bytea([0, 1, 255, 39, 59]))::bytea, \(JSONText(#"{"a": [1, "x"]}"#))::jsonb, NULL::text
            """)
        let row = try #require(rows.first)
        #expect(try row.decode(Int16.self, at: 0) == -12)
        #expect(try row.decode(Int32.self, at: 1) == 1_000_000)
        #expect(try row.decode(Int64.self, at: 2) == Int64.max)
        #expect(try row.decode(String.self, at: 3) == text)
        #expect(try row.decode(Bool.self, at: 4) == true)
        #expect(try row.decode(Double.self, at: 5) == 2.5)
        #expect(try row.decode(UUID.self, at: 6) == id)
        let decodedDate = try row.decode(Date.self, at: 7)
        #expect(abs(decodedDate.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
        #expect(try row.decode(Bytea.self, at: 8).bytes == [0, 1, 255, 39, 59])
        #expect(try row.decode(JSONText.self, at: 9).string == #"{"a": [1, "x"]}"#)
        #expect(try row.decode(String?.self, at: 10) == nil)
        #expect(throws: PostgresError.self) { try row.decode(String.self, at: 10) }
        #expect(throws: PostgresError.self) { try row.decode(Int16.self, at: 2) }
        await connection.close()
    }

    @Test("timestamps before the epoch, on leap days and across centuries mean the same instant to PostgreSQL and back")
    func timestampsAcrossTheCalendar() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        // 1900-03-01, 1969-12-31 23:59:59.5, 2000-02-29 12:00:00.000001, 2400-02-29, 9999-12-31 23:59:59.
        let seconds: [Double] = [-2_203_891_200, -0.5, 951_825_600.000001, 13_574_563_200, 253_402_300_799]
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            // PostgreSQL reads the text this module sends, and answers its own count of the seconds and its text.
            let rows = try await connection.query(
                "SELECT extract(epoch FROM \(date)::timestamptz)::float8, \(date)::timestamptz")
            let row = try #require(rows.first)
            #expect(abs(try row.decode(Double.self, at: 0) - value) < 0.000_001, "\(value)")
            #expect(abs(try row.decode(Date.self, at: 1).timeIntervalSince1970 - value) < 0.000_001, "\(value)")
        }
        await connection.close()
    }

    @Test("treats SQL metacharacters in values as data, never as SQL")
    func bindsInjectionAttemptsAsData() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE TABLE notes (body text)")
                let attack = "x'); DROP TABLE notes; --"
                try await connection.execute("INSERT INTO notes (body) VALUES (\(attack))")
                let rows = try await connection.query("SELECT body FROM notes WHERE body = \(attack)")
                #expect(try rows.first?.decode(String.self, at: 0) == attack)
                #expect(rows.count == 1)
            }
        }
    }

    @Test("rejects a NUL byte in a text parameter with a typed error")
    func rejectsNULInText() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query("SELECT \("a\u{0}b")::text")
        }
        #expect(error?.sqlState == "22021")
        // The connection is still usable afterwards.
        #expect(try await connection.query("SELECT 1").first?.decode(Int.self, at: 0) == 1)
    }

    @Test("keeps SQLSTATE, detail and constraint name of a server error")
    func keepsServerErrorFields() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE TABLE people (id int CONSTRAINT people_pk PRIMARY KEY)")
                try await connection.execute("INSERT INTO people VALUES (\(1))")
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.execute("INSERT INTO people VALUES (\(1))")
                }
                #expect(error?.code == .server)
                #expect(error?.sqlState == "23505")
                #expect(error?.constraint == "people_pk")
                #expect(error?.detail?.contains("already exists") == true)
                #expect(error?.table == "people")
            }
        }
    }

    @Test("commits a transaction that returns and rolls back one that throws")
    func transactionsCommitOrRollBack() async throws {
        struct Oops: Error {}
        try await TestDatabase.with(migrated: false) { database in
            try await database.pool.withConnection { connection in
                try await connection.execute("CREATE TABLE t (n int)")
                _ = try await connection.withTransaction { try await $0.execute("INSERT INTO t VALUES (\(1))") }
                await #expect(throws: Oops.self) {
                    try await connection.withTransaction { connection in
                        try await connection.execute("INSERT INTO t VALUES (\(2))")
                        throw Oops()
                    }
                }
                let level = try await connection.withTransaction(isolation: .serializable) { connection in
                    try await connection.query("SHOW transaction_isolation").first?.decode(String.self, at: 0)
                }
                #expect(level == "serializable")
                let values = try await connection.query("SELECT n FROM t ORDER BY n").map {
                    try $0.decode(Int.self, at: 0)
                }
                #expect(values == [1])
                #expect(await connection.isInTransaction() == false)
            }
        }
    }

    @Test("receives a NOTIFY and times out when none comes")
    func listensAndTimesOut() async throws {
        let configuration = try TestDatabase.serverConfiguration()
        let listener = try await PostgresConnection.connect(configuration)
        let sender = try await PostgresConnection.connect(configuration)
        try await listener.listen("stipple_test_channel")
        let started = ContinuousClock.now
        let nothing = try await listener.waitForNotification(timeout: .milliseconds(200))
        let waited = ContinuousClock.now - started
        #expect(nothing == nil)
        // The upper bound only catches a wait that ignores its timeout (nothing is sent until it returns, so such a
        // wait would never end). It is wide: in the whole suite on 2 cores the wait's start and its resumption queue
        // behind ~600 concurrent tests, and one run measured 20+ s for this 200 ms wait (it takes 0.2 s alone).
        #expect(waited >= .milliseconds(150) && waited < .seconds(120))
        try await sender.notify("stipple_test_channel", payload: "42")
        let notification = try await listener.waitForNotification(timeout: .seconds(5))
        #expect(notification?.channel == "stipple_test_channel")
        #expect(notification?.payload == "42")
    }

    @Test("fails with a clear error when the database cannot be reached")
    func unreachableDatabase() async throws {
        let configuration = try PostgresConfiguration("postgresql://nobody@127.0.0.1:1/none", connectTimeout: 2)
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(configuration)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.description.contains("127.0.0.1") == true)
        #expect(throws: PostgresError.self) { try PostgresConfiguration("not a url") }
        #expect(throws: PostgresError.self) { try PostgresConfiguration("   ") }
    }

    @Test("masks the password when a configuration is printed")
    func masksPassword() throws {
        let url = try PostgresConfiguration("postgresql://alice:s3cret@db.local:5432/stipple")
        #expect(!url.description.contains("s3cret"))
        let conninfo = try PostgresConfiguration("host=db password=s3cret dbname=x")
        #expect(!conninfo.description.contains("s3cret"))
        #expect(try url.withDatabase("other").connectionString.hasSuffix("/other"))
    }

    @Test("renumbers the parameters of a spliced fragment")
    func splicesFragments() async throws {
        let inner: SQL = "a = \(1) AND b = \(2)"
        let outer: SQL = "SELECT \(0)::int WHERE \(fragment: inner) OR c = \(3)"
        #expect(outer.text == "SELECT $1::int WHERE a = $2 AND b = $3 OR c = $4")
        #expect(outer.binds == [.text("0"), .text("1"), .text("2"), .text("3")])
        // Two-digit numbers, text around them that is not ASCII, dollar quotes, and a fragment without parameters.
        let many: SQL = """
            \(1), \(2), \(3), \(4), \(5), \(6), \(7), \(8), \(9), \(10), \(11)
            """
        let wide: SQL = "x = \(0) AND \(fragment: many) AND y = $$café 🧑‍🎨$$ AND \(fragment: "z = 'é'")"
        #expect(
            wide.text == "x = $1 AND $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 AND y = $$café 🧑‍🎨$$ AND z = 'é'")
        #expect(wide.binds == [.text("0")] + (1...11).map { .text(String($0)) })
        let nested: SQL = "\(fragment: "é \(7) 🧑‍🎨 \(8)") \(9)"
        #expect(nested.text == "é $1 🧑‍🎨 $2 $3")
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let rows = try await connection.query("SELECT \(1)::int, \(fragment: "\(5)::int + \(6)::int")")
        await connection.close()
        #expect(try #require(rows.first).decode((Int, Int).self) == (1, 11))
    }
}

@Suite("A connection pool")
struct ConnectionPoolTests {
    @Test("replaces a connection the server killed instead of lending it again")
    func replacesBrokenConnection() async throws {
        let configuration = try TestDatabase.serverConfiguration()
        let pool = ConnectionPool(configuration: configuration, maximumConnections: 1)
        let firstPID = try await pool.withConnection { try await $0.backendProcessID() }
        let killer = try await PostgresConnection.connect(configuration)
        try await killer.query("SELECT pg_terminate_backend(\(firstPID))")
        try await Task.sleep(for: .milliseconds(100))
        let (secondPID, value) = try await pool.withConnection { connection in
            (
                try await connection.backendProcessID(),
                try await connection.query("SELECT 7").first?.decode(Int.self, at: 0)
            )
        }
        #expect(secondPID != firstPID)
        #expect(value == 7)
        #expect(await pool.openConnections == 1)
    }

    @Test("never lends more connections than its maximum")
    func boundsConnections() async throws {
        let pool = ConnectionPool(configuration: try TestDatabase.serverConfiguration(), maximumConnections: 3)
        let pids = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try await connection.query("SELECT pg_sleep(0.02)")
                        return try await connection.backendProcessID()
                    }
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(pids.count <= 3)
        #expect(await pool.openConnections <= 3)
    }

    @Test("binds arrays element by element, quoting and NULLs included")
    func bindsArrays() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let texts = ["plain", "O'Brien \"quoted\" \\ {braces}, commas", "NULL", "", " spaced ", "ü 🧑‍🎨"]
        let numbers: [Int?] = [1, nil, -7, 2_147_483_647]
        let blobs = [Bytea([0, 255, 16]), Bytea([])]
        let rows = try await connection.query(
            """
            SELECT array_to_json(\(texts)::text[])::text, array_to_json(\(numbers)::integer[])::text,
                   cardinality(\([String]())::text[]),
                   (SELECT string_agg(encode(b, 'hex'), ',') FROM unnest(\(blobs)::bytea[]) AS b)
            """)
        await connection.close()
        let (textJSON, numberJSON, empty, hex) = try #require(rows.first).decode((String, String, Int, String).self)
        #expect(hex == "00ff10,")
        #expect(try JSONDecoder().decode([String].self, from: Data(textJSON.utf8)) == texts)
        #expect(try JSONDecoder().decode([Int?].self, from: Data(numberJSON.utf8)) == numbers)
        #expect(empty == 0)
    }

    @Test("a prepared statement runs again with new parameters, and prepares again after DISCARD ALL")
    func preparedStatements() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        var answers: [String] = []
        for value in ["one", "two"] {
            let rows = try await connection.queryPrepared("SELECT upper(\(value))")
            answers.append(try #require(rows.first).decode(String.self))
        }
        let prepared = try await connection.query("SELECT count(*) FROM pg_prepared_statements")
        try await connection.execute("DISCARD ALL")
        let again = try await connection.queryPrepared("SELECT upper(\("three"))")
        answers.append(try #require(again.first).decode(String.self))
        await connection.close()
        #expect(answers == ["ONE", "TWO", "THREE"])
        #expect(try #require(prepared.first).decode(Int.self) == 1)
    }

    @Test("a prepared statement the server forgot is prepared again under a name no other statement holds")
    func preparedAgainAfterDeallocate() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        // Sent from the caller's thread and, larger than the inline limit, on the queue: one loop serves both.
        let large = String(repeating: "ab", count: 40_000)
        for text in ["small", large] {
            let first = try await connection.queryPrepared("SELECT length(\(text)::text), 1")
            let second = try await connection.queryPrepared("SELECT length(\(text)::text), 2")
            let names = try await connection.query(
                "SELECT name FROM pg_prepared_statements WHERE statement LIKE '%length($1::text), 1'")
            let name = try #require(names.first).decode(String.self)
            try await connection.execute("DEALLOCATE \(identifier: name)")
            // The server answers 26000 for the forgotten one; it is prepared again, and its new name must not
            // be the second statement's, which the server still holds.
            let again = try await connection.queryPrepared("SELECT length(\(text)::text), 1")
            let secondAgain = try await connection.queryPrepared("SELECT length(\(text)::text), 2")
            #expect(try #require(first.first).decode((Int, Int).self) == (text.count, 1))
            #expect(try #require(second.first).decode((Int, Int).self) == (text.count, 2))
            #expect(try #require(again.first).decode((Int, Int).self) == (text.count, 1))
            #expect(try #require(secondAgain.first).decode((Int, Int).self) == (text.count, 2))
        }
        // The text is a parameter: both rounds use the same two statements, each re-prepared once per round.
        let held = try await connection.query("SELECT name FROM pg_prepared_statements ORDER BY name")
        await connection.close()
        #expect(try held.map { try $0.decode(String.self) } == ["stipple_prepared_2", "stipple_prepared_4"])
    }
}
