import Foundation
import Postgres
import TextCodecs

/// Batches concurrent appends from this process into one statement and one commit.
///
/// Appends queue here; whenever the writer is idle it takes everything queued (up to a
/// bound) and sends it as one `stipple_append_batch` call. A conflict fails only its own
/// append, while N waiting writers share one commit and one fsync (group commit).
///
/// Writers answered together usually append again at once. Sent the moment the first of them is
/// back, a batch would hold one request, the next one the rest, and so on: half the commits each
/// held one request. So after a batch of several requests, the writer gives the same number of
/// writers a short moment (`gatherWindow`, a few scheduler turns) to queue before it sends.
actor GroupCommitter {
    private struct Pending {
        var request: [StreamAppend]
        var continuation: CheckedContinuation<[AppendResult], any Error>
    }

    private let pool: ConnectionPool
    private let maximumBatch: Int
    private let gatherWindow: Duration
    private var queue: [Pending] = []
    private var writing = false
    /// Requests in the batch sent last: how many writers are likely to be back.
    private var lastBatchSize = 0

    init(pool: ConnectionPool, maximumBatch: Int = 256, gatherWindow: Duration = .microseconds(500)) {
        self.pool = pool
        self.maximumBatch = maximumBatch
        self.gatherWindow = gatherWindow
    }

    func submit(_ request: [StreamAppend]) async throws -> [AppendResult] {
        if !writing, queue.isEmpty, lastBatchSize <= 1 {
            // Nobody else is appending: write it from this task, without a continuation and a drain
            // task to hand it over to and back (two thread hand-offs, a measurable part of a lone
            // append). Writers that come meanwhile queue; the drain below takes them once this is done.
            writing = true
            lastBatchSize = 1
            let outcome = await Self.write([request], pool: pool)
            if queue.isEmpty {
                writing = false
            } else {
                Task { await self.drain() }
            }
            guard let answer = outcome.first else { throw EventStoreError.protocolViolation("append answered nothing") }
            return try answer.get()
        }
        return try await withCheckedThrowingContinuation { continuation in
            queue.append(Pending(request: request, continuation: continuation))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while true {
            await gather()
            guard !queue.isEmpty else { break }
            let batch = Array(queue.prefix(maximumBatch))
            queue.removeFirst(batch.count)
            lastBatchSize = batch.count
            let outcomes = await Self.write(batch.map(\.request), pool: pool)
            for (pending, outcome) in zip(batch, outcomes) {
                pending.continuation.resume(with: outcome)
            }
        }
        writing = false
    }

    /// Waits, at most `gatherWindow`, until as many requests are queued as the last batch held.
    /// Yielding (rather than sleeping) lets the writers just answered run and queue (this actor is
    /// reentrant while it waits); a lone writer never waits.
    private func gather() async {
        guard lastBatchSize > 1, queue.count < min(lastBatchSize, maximumBatch) else { return }
        let deadline = ContinuousClock.now.advanced(by: gatherWindow)
        while queue.count < min(lastBatchSize, maximumBatch), ContinuousClock.now < deadline {
            await Task.yield()
        }
        if queue.isEmpty { lastBatchSize = 0 }
    }

    /// Sends one batch; returns one outcome per request, in order.
    ///
    /// A batch of one request to one stream (a lone writer's append) goes to `loneStatement` (`loneEventStatement`
    /// for one event), any other batch to `groupStatement` (Schema/0020 says why both are single prepared
    /// statements): typed rows back. The requests those leave unwritten (an expectation that did not hold on a
    /// snapshot that may predate the lock, a retried or reused event id, a value the events table refuses, a
    /// stream named twice in one batch) go through `stipple_append_batch`, which decides each under the lock
    /// and answers it as before.
    private static func write(_ requests: [[StreamAppend]], pool: ConnectionPool) async
        -> [Result<[AppendResult], any Error>]
    {
        let answered: [Result<[AppendResult], any Error>?]
        do {
            answered =
                if requests.count == 1, requests[0].count == 1 {
                    [try await writeLone(requests[0][0], pool: pool)]
                } else {
                    try await writeGroup(requests, pool: pool)
                }
        } catch let error as PostgresError {
            return requests.map { _ in .failure(EventStoreError.database(error)) }
        } catch {
            return requests.map { _ in .failure(error) }
        }
        let leftOver = answered.indices.filter { answered[$0] == nil }
        guard !leftOver.isEmpty else { return answered.compactMap { $0 } }
        var decided = (await writeBatch(leftOver.map { requests[$0] }, pool: pool))[...]
        return answered.map { answer in
            if let answer { return answer }
            return decided.popFirst() ?? .failure(EventStoreError.protocolViolation("append answered too few"))
        }
    }

    /// The code `loneStatement` and `groupStatement` take for an expectation: NULL any, -1 no stream, -2 the
    /// stream exists, n >= 0 exactly version n.
    private static func code(_ expected: ExpectedVersion) -> Int? {
        switch expected {
        case .any: nil
        case .noStream: -1
        case .streamExists: -2
        case .exact(let version): version
        }
    }

    /// Several requests, or one request to several streams, through `groupStatement`: one answer per
    /// request, nil for each request it left unwritten (all of them when it answered no rows or failed,
    /// nothing written). Throws on a lost connection.
    private static func writeGroup(_ requests: [[StreamAppend]], pool: ConnectionPool) async throws
        -> [Result<[AppendResult], any Error>?]
    {
        var requestNumbers: [Int] = []
        var streams: [String] = []
        var expectations: [Int?] = []
        var counts: [Int] = []
        var eventStreams: [Int] = []
        var events: [NewEvent] = []
        for (requestIndex, request) in requests.enumerated() {
            for append in request {
                requestNumbers.append(requestIndex + 1)
                streams.append(append.stream.rawValue)
                expectations.append(code(append.expectedVersion))
                counts.append(append.events.count)
                eventStreams.append(contentsOf: repeatElement(streams.count, count: append.events.count))
                events.append(contentsOf: append.events)
            }
        }
        let statement = groupStatement(
            requests: requestNumbers, streams: streams, expected: expectations, counts: counts,
            eventStreams: eventStreams, events: JSONText(AppendRequestEncoder.encode(events)))
        let rows: QueryResult
        do {
            rows = try await pool.withConnection { connection in try await connection.queryPrepared(statement) }
        } catch let error as PostgresError where !error.isConnectionProblem {
            return requests.map { _ in nil }
        }
        guard !rows.isEmpty else { return requests.map { _ in nil } }
        guard rows.count == streams.count else {
            throw EventStoreError.protocolViolation("append answered \(rows.count) of \(streams.count) streams")
        }
        var answers = try rows.map { try $0.decode((Int64?, Int).self) }[...]
        return requests.map { request in
            let mine = answers.prefix(request.count)
            answers = answers.dropFirst(request.count)
            var results: [AppendResult] = []
            for (append, (last, version)) in zip(request, mine) {
                guard let last else { return nil }
                results.append(written(append, last: last, version: version))
            }
            return .success(results)
        }
    }

    /// One request to one stream through `loneStatement`; nil when the statement left it (with an error
    /// or no row, nothing written) for `stipple_append_batch` to answer. Throws on a lost connection.
    private static func writeLone(_ append: StreamAppend, pool: ConnectionPool) async throws
        -> Result<[AppendResult], any Error>?
    {
        let (statement, wait): (SQL, AnswerWait) =
            if append.events.count == 1, let event = append.events.first {
                (
                    loneEventStatement(
                        stream: append.stream.rawValue, expected: code(append.expectedVersion), event: event),
                    loneEventAnswerWait
                )
            } else {
                (
                    loneStatement(
                        stream: append.stream.rawValue, expected: code(append.expectedVersion),
                        events: JSONText(AppendRequestEncoder.encode(append.events))),
                    .suspending
                )
            }
        let rows: QueryResult
        do {
            rows = try await pool.withConnection { connection in
                try await connection.queryPrepared(statement, awaiting: wait)
            }
        } catch let error as PostgresError where !error.isConnectionProblem {
            return nil
        }
        guard let row = rows.first else { return nil }
        let (last, version) = try row.decode((Int64, Int).self)
        return .success([written(append, last: last, version: version)])
    }

    /// How a lone append of one event waits for its answer (`AnswerWait`): on its own thread first, for up to 1 ms.
    /// A lone append is what this process is doing (no other append in flight), and a durable commit of one event
    /// usually answers within a fraction of that, so the answer wakes the waiting thread directly: one thread
    /// wake-up per append instead of two. A/B on one cluster (`stipple-bench append --writers 1`, 8 alternations,
    /// synchronous_commit off, load ~6; medians): 0.96 voluntary context switches per append against 2.0 when
    /// suspending, p50 0.15 against 0.18 ms (lower in 5 of 8 rounds), less client CPU in 5 of 8 (one tie). Not for
    /// several events: a 100-event append takes ~2 ms, so its thread would block and then suspend anyway (+1 context
    /// switch per append, measured).
    static let loneEventAnswerWait = AnswerWait.blockingFirst(upTo: .milliseconds(1))

    /// How `loneStatement` reads the stream's version (`cur`). For an exact expectation n
    /// it only asks whether the stream has version n, one index entry (`cur` = n, else NULL: not written, left to
    /// `stipple_append_batch`); a stream past n makes the insert of version n + 1 run into UNIQUE (stream, version),
    /// which writes nothing and leaves the request over as well, as a version read from a snapshot older than the
    /// lock always did (Schema/0020). Otherwise it reads the stream's last version: a backward index scan, which in
    /// PostgreSQL 15 reads every entry of the stream on the index page it lands on: for a stream of a few thousand
    /// events ~7 % of a lone append's backend CPU (psql EXECUTE loop) and ~4 % of its instructions (valgrind).
    static func currentVersion(_ expected: Int?) -> SQL {
        if let expected, expected >= 0 {
            "CASE WHEN EXISTS (SELECT FROM events x WHERE x.stream = p.stream AND x.version = p.expected) THEN p.expected END"
        } else {
            "coalesce((SELECT x.version FROM events x WHERE x.stream = p.stream ORDER BY x.version DESC LIMIT 1), -1)"
        }
    }

    /// The append of one request to one stream as one statement (Schema/0020 says why and what it keeps):
    /// it moves the head under the `log_head` row lock, reads the stream's version, inserts the events
    /// numbered from the old head (the chain trigger links each row) and notifies, answering one row
    /// (last position, the stream's version after the append). No row means nothing written: no events,
    /// or an expectation that did not hold on the statement's snapshot, which may predate the lock, so
    /// `stipple_append_batch` decides it under the lock; an exact expectation the stream is already past raises
    /// instead (UNIQUE (stream, version), see `currentVersion`), nothing written, and is left over the same way.
    /// Internal for the tests.
    static func loneStatement(stream: String, expected: Int?, events: JSONText) -> SQL {
        """
        WITH p AS MATERIALIZED (
            SELECT \(stream)::text AS stream, \(expected)::integer AS expected, \(events)::jsonb AS events
        ), v AS MATERIALIZED (
            SELECT p.stream, p.expected, p.events, jsonb_array_length(p.events) AS n,
                   \(fragment: currentVersion(expected)) AS cur
              FROM p
        ), h AS (
            UPDATE log_head SET position = log_head.position + v.n FROM v
             WHERE log_head.singleton AND v.n > 0
               AND (v.expected IS NULL OR v.cur = v.expected OR (v.expected = -2 AND v.cur >= 0))
            RETURNING log_head.position, v.stream, v.events, v.n, v.cur
        ), written AS (
            INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
            SELECT h.position - h.n + e.i, h.stream, h.cur + e.i::integer, e.id, e.type, e.schema_version, e.data,
                   e.metadata
              FROM h, ROWS FROM (jsonb_to_recordset(h.events)
                                 AS (id uuid, type text, schema_version smallint, data jsonb, metadata jsonb))
                      WITH ORDINALITY AS e(id, type, schema_version, data, metadata, i)
        )
        SELECT h.position AS last_position, h.cur + h.n AS stream_version, pg_notify('stipple_events', h.position::text)
          FROM h
        """
    }

    /// `loneStatement` for a request of one event, the commonest append, with the same rules and answers: the
    /// event's fields are parameters of their own instead of a JSON array unpacked by `jsonb_to_recordset` (a
    /// function scan that materialises its rows and rebuilds each `jsonb` field), and the statement is one
    /// INSERT fed by the UPDATE of `log_head`, without `loneStatement`'s CTEs over the parameters: the
    /// expectation is a condition of the UPDATE (`holds`) and the new version an expression (`nextVersion`), so
    /// the executor sets up one CTE scan instead of four, and the INSERT is the statement's own. The UPDATE takes
    /// the row lock first; the INSERT reads its one row after it. Only equality with an indexed column depends on
    /// a parameter, so the plan for the first calls is the generic one (Schema/0020). Internal for the tests.
    ///
    /// Why two forms for a lone append, measured (valgrind in a single-user backend, the server's instructions per
    /// call less those of a statement that only reads the same parameters): for one event this form is ~444k,
    /// `loneStatement` with a one-event array ~568k (+28 %), and a single form taking the events as array
    /// parameters (`unnest` of ids, types and versions, data and metadata picked from JSON arrays, the answer from
    /// RETURNING) ~514k (+16 %); for 100 events that array form is no cheaper than `loneStatement` (18.8M against
    /// 18.4–18.8M). So one event keeps a statement of its own.
    static func loneEventStatement(stream: String, expected: Int?, event: NewEvent) -> SQL {
        """
        WITH h AS (
            UPDATE log_head SET position = log_head.position + 1
             WHERE log_head.singleton AND \(fragment: holds(stream: stream, expected))
            RETURNING log_head.position
        )
        INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
        SELECT h.position, \(stream)::text, \(fragment: nextVersion(stream: stream, expected)),
               \(Hex.uuid(event.id, uppercase: false))::uuid, \(event.type)::text, \(event.schemaVersion)::smallint,
               \(JSONText(event.data))::jsonb, \(JSONText(event.metadata.jsonData()))::jsonb
          FROM h
        RETURNING position AS last_position, version AS stream_version, pg_notify('stipple_events', position::text)
        """
    }

    /// `loneEventStatement`'s expectation, read with the statement's snapshot like `currentVersion`'s: for an
    /// exact n whether the stream has version n (one index entry; a stream already past n makes the insert of
    /// n + 1 run into UNIQUE (stream, version), nothing written, left over), for no stream that it has no event,
    /// for a stream that exists that it has one.
    static func holds(stream: String, _ expected: Int?) -> SQL {
        switch expected {
        case .some(let version) where version >= 0:
            "EXISTS (SELECT FROM events x WHERE x.stream = \(stream)::text AND x.version = \(version)::integer)"
        case -1: "NOT EXISTS (SELECT FROM events x WHERE x.stream = \(stream)::text)"
        case -2: "EXISTS (SELECT FROM events x WHERE x.stream = \(stream)::text)"
        default: "true"
        }
    }

    /// `loneEventStatement`'s version for the event: n + 1 after an exact n, 0 for a new stream, otherwise one
    /// after the stream's last version (the backward scan `currentVersion` describes).
    static func nextVersion(stream: String, _ expected: Int?) -> SQL {
        switch expected {
        case .some(let version) where version >= 0: "\(version)::integer + 1"
        case -1: "0"
        default:
            "coalesce((SELECT x.version FROM events x WHERE x.stream = \(stream)::text ORDER BY x.version DESC LIMIT 1), -1) + 1"
        }
    }

    /// The append of several requests (each to one or more streams, all or nothing on its own) as one
    /// statement, in the way of `loneStatement`: stream i belongs to request `requests[i]` (a request's
    /// streams adjacent), has expectation `expected[i]` (coded as `code`) and `counts[i]` events; event j
    /// belongs to stream `eventStreams[j]` (1-based; each stream's events adjacent and in order in
    /// `events`). It reads every stream's version, writes the requests whose expectations all hold,
    /// numbered in stream order from the old head under the `log_head` row lock, and answers one row per
    /// stream in order: the last position written and the version after, or a NULL position for a stream
    /// of a request it did not write (its version read before the lock, so `stipple_append_batch` decides
    /// that request). No rows: nothing written (a stream named twice, counts that do not add up).
    /// Internal for the tests.
    static func groupStatement(
        requests: [Int], streams: [String], expected: [Int?], counts: [Int], eventStreams: [Int], events: JSONText
    ) -> SQL {
        """
        WITH p AS MATERIALIZED (
            SELECT \(requests)::integer[] AS requests, \(streams)::text[] AS streams, \(expected)::integer[] AS expected,
                   \(counts)::integer[] AS counts, \(eventStreams)::integer[] AS event_streams, \(events)::jsonb AS events
        ), s AS MATERIALIZED (
            SELECT t.i, t.req, t.stream, t.expected, t.n,
                   coalesce((SELECT x.version FROM events x WHERE x.stream = t.stream ORDER BY x.version DESC LIMIT 1),
                            -1) AS cur
              FROM p, unnest(p.requests, p.streams, p.expected, p.counts) WITH ORDINALITY AS t(req, stream, expected, n, i)
        ), w AS MATERIALIZED (
            SELECT k.*, sum(CASE WHEN k.ok THEN k.n ELSE 0 END) OVER (ORDER BY k.i) AS upto
              FROM (SELECT s.i, s.stream, s.n, s.cur,
                           bool_and(s.expected IS NULL OR s.cur = s.expected OR (s.expected = -2 AND s.cur >= 0))
                               OVER (PARTITION BY s.req) AS ok
                      FROM s) AS k
        ), d AS MATERIALIZED (
            SELECT coalesce(sum(w.n) FILTER (WHERE w.ok), 0) AS total,
                   count(*) > 0 AND count(DISTINCT w.stream) = count(*) AND bool_and(w.n > 0)
                       AND sum(w.n) = (SELECT jsonb_array_length(p.events) FROM p)
                       AND sum(w.n) = (SELECT cardinality(p.event_streams) FROM p) AS usable
              FROM w
        ), h AS (
            UPDATE log_head SET position = log_head.position + d.total FROM d
             WHERE log_head.singleton AND d.usable AND d.total > 0
            RETURNING log_head.position - d.total AS before, log_head.position AS after
        ), written AS (
            INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
            SELECT h.before + w.upto - w.n + e.r, w.stream, w.cur + e.r::integer, e.id, e.type, e.schema_version, e.data,
                   e.metadata
              FROM h,
                   (SELECT r.id, r.type, r.schema_version, r.data, r.metadata, p.event_streams[r.g] AS s,
                           row_number() OVER (PARTITION BY p.event_streams[r.g] ORDER BY r.g) AS r
                      FROM p, ROWS FROM (jsonb_to_recordset(p.events)
                                         AS (id uuid, type text, schema_version smallint, data jsonb, metadata jsonb))
                              WITH ORDINALITY AS r(id, type, schema_version, data, metadata, g)) AS e
              JOIN w ON w.i = e.s
             WHERE w.ok
             ORDER BY 1
        ), notified AS (
            SELECT pg_notify('stipple_events', h.after::text) FROM h
        )
        SELECT CASE WHEN w.ok THEN h.before + w.upto END AS last_position,
               CASE WHEN w.ok THEN w.cur + w.n ELSE w.cur END AS stream_version
          FROM d CROSS JOIN w LEFT JOIN h ON true
         WHERE d.usable AND (SELECT count(*) FROM notified) >= 0
         ORDER BY w.i
        """
    }

    /// What `loneStatement` or `groupStatement` answered for a stream it wrote: its events end at position `last`.
    private static func written(_ append: StreamAppend, last: Int64, version: Int) -> AppendResult {
        let count = Int64(append.events.count)
        return AppendResult(
            stream: append.stream, streamVersion: version, positions: Array((last - count + 1)...last),
            wasDuplicate: false)
    }

    /// Sends a batch through `stipple_append_batch`; returns one outcome per request, in order.
    private static func writeBatch(_ requests: [[StreamAppend]], pool: ConnectionPool) async
        -> [Result<[AppendResult], any Error>]
    {
        do {
            let body = AppendRequestEncoder.encode(requests)
            let rows = try await pool.withConnection { connection in
                try await connection.query("SELECT stipple_append_batch(\(JSONText(body))::jsonb)")
            }
            guard let row = rows.first else { throw EventStoreError.protocolViolation("append returned no row") }
            let answer = try row.decode(JSONText.self)
            let responses = try JSONDecoder().decode([AppendResponse].self, from: answer.data)
            guard responses.count == requests.count else {
                throw EventStoreError.protocolViolation("append answered \(responses.count) of \(requests.count)")
            }
            return zip(requests, responses).map { request, response in
                Result { try interpret(response, for: request) }
            }
        } catch let error as PostgresError {
            return requests.map { _ in .failure(EventStoreError.database(error)) }
        } catch {
            return requests.map { _ in .failure(error) }
        }
    }

    private static func interpret(_ response: AppendResponse, for request: [StreamAppend]) throws -> [AppendResult] {
        if response.ok, let results = response.results, results.count == request.count {
            return zip(request, results).map { append, result in
                AppendResult(
                    stream: append.stream, streamVersion: result.version, positions: result.positions,
                    wasDuplicate: result.duplicate)
            }
        }
        let stream = response.stream ?? request.first?.stream.rawValue ?? "?"
        switch response.error {
        case "wrong_expected_version":
            let expected = request.first { $0.stream.rawValue == stream }?.expectedVersion ?? .any
            let actual = response.actual.flatMap { $0 < 0 ? nil : $0 }
            throw EventStoreError.wrongExpectedVersion(stream: stream, expected: expected, actual: actual)
        case "idempotency_conflict", "duplicate_event":
            throw EventStoreError.idempotencyConflict(stream: stream, eventID: response.eventID)
        default:
            throw EventStoreError.database(
                PostgresError(
                    code: .server, message: response.message ?? "append failed", sqlState: response.sqlstate))
        }
    }
}
