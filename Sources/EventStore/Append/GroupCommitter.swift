import Foundation
import Postgres

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
        try await withCheckedThrowingContinuation { continuation in
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
    private static func write(_ requests: [[StreamAppend]], pool: ConnectionPool) async
        -> [Result<[AppendResult], any Error>]
    {
        do {
            let body = try AppendRequestEncoder.encode(requests)
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
