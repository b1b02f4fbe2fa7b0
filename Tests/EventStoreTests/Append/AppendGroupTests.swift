import EventStore
import Foundation
import Postgres
import Testing
import TestSupport

/// `stipple_append_batch` with groups of requests (Schema/0008): the set-based group path must
/// give exactly what appending the requests one at a time gives, and must step aside for anything
/// it cannot do the same way. Calls the SQL function directly, so the groups are deterministic
/// (through `EventStore.append` they form only when writers happen to overlap).
@Suite("Append groups (0008)")
struct AppendGroupTests {
    /// One request: appends of `(stream, expected, events)`; an event is `(id, type, data)`.
    static func request(_ appends: [(String, Any, [(UUID, String, String)])]) -> [String: Any] {
        [
            "appends": appends.map { stream, expected, events in
                [
                    "stream": stream, "expected": expected,
                    "events": events.map { id, type, data in
                        [
                            "id": id.uuidString.lowercased(), "type": type, "schema_version": 1,
                            "data": (try? JSONSerialization.jsonObject(with: Data(data.utf8))) ?? [:],
                            "metadata": ["actor": "tests"],
                        ] as [String: Any]
                    },
                ] as [String: Any]
            }
        ]
    }

    struct Outcome {
        var answers: [[String: Any]]
        /// How often each path ran in the call's transaction.
        var perRequestCalls: Int
        var groupCalls: Int
    }

    /// Calls the batch function in a transaction that counts PL/pgSQL function calls.
    static func batch(_ requests: [[String: Any]], in database: TestDatabase) async throws -> Outcome {
        let body = try JSONSerialization.data(withJSONObject: requests)
        return try await database.pool.withTransaction { connection in
            try await connection.execute("SET LOCAL track_functions = 'pl'")
            // Counted before and after: the view also holds calls of earlier transactions on this
            // connection whose statistics are not flushed yet (when the server tracks functions).
            func calls() async throws -> (perRequest: Int, group: Int) {
                let counts = try await connection.query(
                    """
                    SELECT coalesce(sum(calls) FILTER (WHERE funcname = 'stipple_append_one'), 0)::bigint,
                           coalesce(sum(calls) FILTER (WHERE funcname = 'stipple_append_group'), 0)::bigint
                      FROM pg_stat_xact_user_functions
                    """)
                let row = try #require(counts.first)
                return (Int(try row.decode(Int64.self, at: 0)), Int(try row.decode(Int64.self, at: 1)))
            }
            let before = try await calls()
            let rows = try await connection.query("SELECT stipple_append_batch(\(JSONText(body))::jsonb)")
            let after = try await calls()
            let text = try #require(rows.first).decode(JSONText.self, at: 0)
            let answers = try #require(try JSONSerialization.jsonObject(with: text.data) as? [[String: Any]])
            return Outcome(
                answers: answers, perRequestCalls: after.perRequest - before.perRequest,
                groupCalls: after.group - before.group)
        }
    }

    static func results(_ answer: [String: Any]) -> [(stream: String, version: Int, positions: [Int], duplicate: Bool)]
    {
        ((answer["results"] as? [[String: Any]]) ?? []).map {
            (
                $0["stream"] as? String ?? "", $0["version"] as? Int ?? -99, $0["positions"] as? [Int] ?? [],
                $0["duplicate"] as? Bool ?? false
            )
        }
    }

    @Test("a clean group is appended set-based, with the positions and versions one at a time would give")
    func cleanGroup() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            try await store.append(
                [event("a.b", #"{"n": 0}"#)], to: try stream("client-old"), expectedVersion: .noStream)
            let requests = [
                Self.request([
                    ("client-a", "no_stream", [(UUID(), "a.one", #"{"k": 1}"#), (UUID(), "a.two", #"{"k": 2}"#)])
                ]),
                Self.request([("client-old", 0, [(UUID(), "a.three", #"{"k": 3}"#)])]),
                Self.request([
                    ("client-b", "any", [(UUID(), "a.four", #"{"k": 4}"#)]),
                    ("client-c", "no_stream", [(UUID(), "a.five", #"{"k": 5}"#)]),
                ]),
            ]
            let outcome = try await Self.batch(requests, in: database)
            #expect(outcome.groupCalls == 1)
            #expect(outcome.perRequestCalls == 0, "the group path took every request")
            #expect(outcome.answers.map { $0["ok"] as? Bool } == [true, true, true])
            let results = outcome.answers.map(Self.results)
            #expect(
                results[0].map(\.stream) == ["client-a"] && results[0][0].version == 1
                    && results[0][0].positions == [2, 3])
            #expect(
                results[1][0].stream == "client-old" && results[1][0].version == 1 && results[1][0].positions == [4])
            #expect(results[2].map(\.stream) == ["client-b", "client-c"])
            #expect(results[2].map(\.positions) == [[5], [6]] && results[2].map(\.version) == [0, 0])
            #expect(results.joined().allSatisfy { !$0.duplicate })
            let log = try await store.readAll(after: .start, limit: 100).events
            #expect(log.map(\.type) == ["a.b", "a.one", "a.two", "a.three", "a.four", "a.five"])
            #expect(
                log.map(\.stream.rawValue) == [
                    "client-old", "client-a", "client-a", "client-old", "client-b", "client-c",
                ])
            #expect(log.map(\.version) == [0, 0, 1, 1, 0, 0])
            #expect(try await store.headPosition() == 6)
            #expect(try await database.chainVerifier.verify().isIntact)
        }
    }

    @Test("a conflict, a retry, a repeated stream or a bad name sends the group one request at a time")
    func mixedGroupFallsBack() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let stored = UUID()
            let first = try await store.append(
                [event("a.b", #"{"n": 0}"#, id: stored)], to: try stream("client-x"), expectedVersion: .noStream)
            let requests = [
                Self.request([("client-a", "no_stream", [(UUID(), "a.one", "{}")])]),
                Self.request([("client-x", "no_stream", [(UUID(), "a.two", "{}")])]),  // wrong version
                Self.request([("client-x", "any", [(stored, "a.b", #"{"n": 0}"#)])]),  // a retry
                Self.request([("client-d", "any", [(UUID(), "bad type!", "{}")])]),  // fails the CHECK
                Self.request([("client-a", 0, [(UUID(), "a.three", "{}")])]),  // the same stream again
            ]
            let outcome = try await Self.batch(requests, in: database)
            #expect(outcome.groupCalls == 1)
            #expect(outcome.perRequestCalls == 5, "every request went through its own path")
            #expect(outcome.answers.map { $0["ok"] as? Bool } == [true, false, true, false, true])
            #expect(outcome.answers[1]["error"] as? String == "wrong_expected_version")
            #expect(Self.results(outcome.answers[2]).first?.duplicate == true)
            #expect(Self.results(outcome.answers[2]).first?.positions == first.positions.map { Int($0) })
            #expect(outcome.answers[3]["sqlstate"] as? String == "23514")
            #expect(Self.results(outcome.answers[0]).first?.positions == [2])
            #expect(Self.results(outcome.answers[4]).first?.positions == [3])
            #expect(Self.results(outcome.answers[4]).first?.version == 1)
            let log = try await store.readAll(after: .start, limit: 100).events
            #expect(log.map(\.type) == ["a.b", "a.one", "a.three"])
            #expect(try await database.chainVerifier.verify().isIntact)
        }
    }

    @Test("the name checks accept and refuse exactly what they did before 0008")
    func nameChecks() async throws {
        try await TestDatabase.with { database in
            func state(_ stream: String, _ type: String) async throws -> String {
                let outcome = try await Self.batch(
                    [Self.request([(stream, "any", [(UUID(), type, "{}")])])], in: database)
                let answer = try #require(outcome.answers.first)
                return (answer["ok"] as? Bool) == true ? "ok" : (answer["sqlstate"] as? String ?? "?")
            }
            let longest = "t" + String(repeating: "y", count: 199)
            let longStream = "c" + String(repeating: "s", count: 199)
            var states = [try await state("client-1", longest), try await state("client-1", longest + "y")]
            states += [try await state(longStream, "a.b"), try await state(longStream + "s", "a.b")]
            #expect(states == ["ok", "23514", "ok", "23514"], "200 characters pass, 201 do not")
            var refused: [String] = []
            for bad in ["-client", "client 1", "client-é", "", "client\n"] {
                refused.append(try await state(bad, "a.b"))
            }
            for bad in ["@type", "a@b", "a b", "", "a/b"] {
                refused.append(try await state("client-1", bad))
            }
            #expect(refused == Array(repeating: "23514", count: 10))
            let allowed = try await state("client-1@x:y.z_w", "a_b.c:d-e")
            #expect(allowed == "ok")
            // The access log's action check (0004) got the same treatment.
            func action(_ text: String) async throws -> Bool {
                do {
                    _ = try await database.pool.withConnection { connection in
                        try await connection.execute(
                            "INSERT INTO access_log (actor, action, subject, channel) VALUES ('tests', \(text), 'client-1', 'cli')"
                        )
                    }
                    return true
                } catch let error as PostgresError where error.sqlState == "23514" {
                    return false
                }
            }
            var actions: [Bool] = []
            for text in [
                "a" + String(repeating: "b", count: 99), "a" + String(repeating: "b", count: 100),
                "timeline.read:x-y_z", "Timeline.read", "1read", "read all", "",
            ] {
                actions.append(try await action(text))
            }
            #expect(actions == [true, false, true, false, false, false, false])
        }
    }
}
