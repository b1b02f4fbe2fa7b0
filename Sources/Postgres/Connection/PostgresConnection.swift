import CLibPQ
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One connection to PostgreSQL, owning its libpq `PGconn`.
///
/// Statements on one connection take turns (first come, first served), so tasks that share a
/// connection (the lease holder's session) are serialised instead of corrupting it, and a blocking
/// network round trip never occupies one of Swift's cooperative threads: on Linux a statement is
/// sent from the caller's thread and its answer awaited through `SocketReadiness`, holding no
/// thread, and an answer that arrives in pieces is read to its end on the connection's own serial
/// dispatch queue; elsewhere, over TLS, and for large statements, COPY, scripts and notification
/// waits, the blocking libpq calls run on that queue. Every libpq call runs in step with that queue.
/// Give a connection to one task at a time where you can (`ConnectionPool` does); a transaction on a
/// shared connection would interleave.
public final class PostgresConnection: @unchecked Sendable {
    // @unchecked: `handle`, `prepared` and `preparedCount` are read and written only on `queue` (or in deinit,
    // when no one else can).
    private let queue: DispatchQueue
    private var handle: OpaquePointer?
    /// Statements prepared on this connection by `queryPrepared`: statement key -> server-side name.
    private var prepared: [String: String] = [:]
    /// How many names `queryPrepared` has given out on this connection (names are never reused).
    private var preparedCount = 0
    /// Where this connection points.
    public let configuration: PostgresConfiguration
    /// Whose turn it is: a statement (or queue job) holds the connection from its send to its answer.
    private let turns = Mutex(Turns())
    #if os(Linux)
        /// Where a task suspends until its answer comes: `SocketReadiness.shared` (a test may give its own).
        private let socketWaiter: any SocketWaiter
    #endif

    private struct Turns {
        var taken = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    /// True when the socket carries the protocol in the clear: what arrives is readable from the socket
    /// alone. Over TLS or GSSAPI encryption, libpq may hold decrypted bytes the socket no longer shows (its
    /// own waits ask the TLS library first), so those connections wait in libpq, on the queue.
    private let plainSocket: Bool

    private init(
        handle: OpaquePointer, configuration: PostgresConfiguration, queue: DispatchQueue,
        socketWaiter: (any SocketWaiter)?
    ) {
        self.handle = handle
        self.configuration = configuration
        self.queue = queue
        plainSocket = PQsslInUse(handle) == 0 && PQgssEncInUse(handle) == 0
        #if os(Linux)
            self.socketWaiter = socketWaiter ?? SocketReadiness.shared
        #endif
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection; fails with `.connectionFailed` and libpq's reason.
    ///
    /// The blocking connect runs on the connection's own serial queue, like every later call. Not on
    /// `DispatchQueue.global()`: that pool is as wide as the machine has cores and grows only slowly while
    /// its threads block, so on a small machine a burst of connects (a pool filling up, many tests at
    /// once) would wait behind each other. A serial queue gets a thread of its own when it needs one.
    public static func connect(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
        try await connect(configuration, socketWaiter: nil)
    }

    /// `connect`, with the waiter a task suspends in until its answer comes (nil: `SocketReadiness.shared`).
    static func connect(_ configuration: PostgresConfiguration, socketWaiter: (any SocketWaiter)?) async throws
        -> PostgresConnection
    {
        let queue = DispatchQueue(label: "stipple.postgres.connection")
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(
                    with: Result { try connectSync(configuration, queue: queue, socketWaiter: socketWaiter) })
            }
        }
    }

    private static func connectSync(
        _ configuration: PostgresConfiguration, queue: DispatchQueue, socketWaiter: (any SocketWaiter)?
    ) throws -> PostgresConnection {
        // Later keywords override what the URL says; the session settings make timestamps parseable.
        let keywords = ["dbname", "connect_timeout", "fallback_application_name", "client_encoding", "options"]
        let values = [
            configuration.connectionString, String(configuration.connectTimeout), configuration.applicationName,
            "UTF8", "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=iso_8601 -c client_min_messages=warning",
        ]
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = errorMessage(connection)
            PQfinish(connection)
            throw PostgresError(
                code: .connectionFailed, message: "cannot connect to \(configuration): \(message)")
        }
        return PostgresConnection(
            handle: connection, configuration: configuration, queue: queue, socketWaiter: socketWaiter)
    }

    // MARK: - Statements

    /// Runs one statement with its bound parameters and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws -> QueryResult {
        await takeTurn()
        defer { endTurn() }
        return try await run(.unnamed, sql, inline: Self.sendsInline(sql, plainSocket: plainSocket))
    }

    /// Runs one statement like `query`, but parses and plans it only once per connection: the
    /// first call prepares it (named, server-side), later calls with the same text send only the
    /// parameters. For the few statements a process runs over and over (the append); the server
    /// keeps every prepared statement until the connection closes, so never use it for text that
    /// varies. `wait` says how the task waits for the answer (`AnswerWait`; every prepare waits `suspending`).
    @discardableResult
    public func queryPrepared(_ sql: SQL, awaiting wait: AnswerWait = .suspending) async throws -> QueryResult {
        await takeTurn()
        defer { endTurn() }
        let inline = Self.sendsInline(sql, plainSocket: plainSocket)
        let key = Self.preparedKey(sql)
        for attempt in 0..<2 {
            let name: String
            if let known = queue.sync(execute: { self.prepared[key] }) {
                name = known
            } else {
                name = queue.sync {
                    self.preparedCount += 1
                    return "stipple_prepared_\(self.preparedCount)"
                }
                _ = try await run(.prepare(name), sql, inline: inline)
                queue.sync { self.prepared[key] = name }
            }
            do {
                return try await run(.execute(name), sql, inline: inline, wait: wait)
            } catch let error as PostgresError where error.sqlState == "26000" && attempt == 0 {
                // The server no longer knows it (DISCARD ALL, a pooler between): prepare again.
                queue.sync { self.prepared[key] = nil }
            }
        }
        throw PostgresError(code: .server, message: "could not prepare the statement", query: sql.text)
    }

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await query(sql).affectedRows
    }

    /// Runs a trusted multi-statement script (a migration file) with no parameters.
    ///
    /// Never pass text that contains values from users: use `query` with interpolation.
    public func executeScript(_ script: String) async throws {
        guard !script.contains("\0") else {
            throw PostgresError(code: .server, message: "a SQL script cannot contain NUL bytes")
        }
        _ = try await onQueue {
            let connection = try self.liveHandle()
            return try Self.consume(PQexec(connection, script), connection: connection, query: "(script)")
        }
    }

    // MARK: - Transactions

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    public func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await execute(SQL(trusted: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"))
        let value: T
        do {
            value = try await body(self)
        } catch {
            // The original error matters more than a failed rollback (e.g. the server is gone).
            _ = try? await execute("ROLLBACK")
            throw error
        }
        try await execute("COMMIT")
        return value
    }

    /// True when the connection is inside a transaction block (or a failed one).
    public func isInTransaction() async -> Bool {
        (try? await onQueue { () -> Bool in
            guard let handle = self.handle else { return false }
            let status = PQtransactionStatus(handle)
            return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
        }) ?? false
    }

    // MARK: - LISTEN / NOTIFY

    /// Subscribes this connection to a notification channel.
    public func listen(_ channel: String) async throws {
        try await execute("LISTEN \(identifier: channel)")
    }

    /// Sends a notification on a channel (delivered when the current transaction commits).
    public func notify(_ channel: String, payload: String = "") async throws {
        try await execute("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Waits up to `timeout` for a notification on a channel this connection listens to.
    ///
    /// Returns nil on timeout. Uses `PQsocket` + `poll` + `PQconsumeInput` + `PQnotifies`,
    /// so it never blocks for longer than the timeout, and it notices a dropped connection.
    public func waitForNotification(timeout: Duration) async throws -> PostgresNotification? {
        let milliseconds = max(
            0, Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        return try await onQueue { try self.waitSync(milliseconds: milliseconds) }
    }

    private func waitSync(milliseconds: Int) throws -> PostgresNotification? {
        let connection = try liveHandle()
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
        while true {
            guard PQconsumeInput(connection) == 1 else {
                throw PostgresError(code: .connectionLost, message: Self.errorMessage(connection))
            }
            if let notification = PQnotifies(connection) {
                defer { PQfreemem(notification) }
                return PostgresNotification(
                    channel: String(cString: notification.pointee.relname),
                    payload: String(cString: notification.pointee.extra),
                    processID: Int(notification.pointee.be_pid))
            }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return nil }
            let socket = PQsocket(connection)
            guard socket >= 0 else {
                throw PostgresError(code: .connectionLost, message: "the connection has no socket")
            }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let waitMilliseconds = Int32(min(1000, (deadline - now) / 1_000_000 + 1))
            let ready = poll(&descriptor, 1, waitMilliseconds)
            if ready < 0, errno != EINTR {
                throw PostgresError(code: .connectionLost, message: "poll failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    // MARK: - Health and closing

    /// Checks without a round trip whether the connection is still usable: a socket that
    /// turned readable while idle means the server closed it (or sent something to read).
    ///
    /// The probe only polls the socket (it never waits for the network), so it runs on the
    /// caller's thread, in step with the connection's queue (`sync`), instead of hopping there
    /// and back: the pool asks twice per loan, and the hops were a measurable part of an
    /// append. It takes its turn like a statement: probing a connection whose statement is in
    /// flight (a shared session) waits for that answer instead of reading it from under it.
    public func isAlive() async -> Bool {
        await takeTurn()
        defer { endTurn() }
        return queue.sync { self.isAliveSync() }
    }

    /// Alive and idle (not inside a transaction): fit to lend again. Like `isAlive`, no hop.
    public func isReusable() async -> Bool {
        await takeTurn()
        defer { endTurn() }
        return queue.sync { () -> Bool in
            guard self.isAliveSync(), let handle = self.handle else { return false }
            return PQtransactionStatus(handle) == PQTRANS_IDLE
        }
    }

    private func isAliveSync() -> Bool {
        guard let connection = self.handle, PQstatus(connection) == CONNECTION_OK else { return false }
        let socket = PQsocket(connection)
        guard socket >= 0 else { return false }
        // A killed backend sends its FATAL message and then closes: read until the socket is
        // quiet; reaching end-of-file fails PQconsumeInput. Notices and notifications are fine.
        for _ in 0..<4 {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { return true }
            if descriptor.revents & Int16(POLLERR | POLLNVAL) != 0 { return false }
            guard PQconsumeInput(connection) == 1, PQstatus(connection) == CONNECTION_OK else { return false }
        }
        return false
    }

    /// Closes the connection; later calls fail with `.closed`.
    public func close() async {
        _ = try? await onQueue {
            if let handle = self.handle {
                PQfinish(handle)
                self.handle = nil
            }
        }
    }

    /// The server's process id for this connection (for `pg_terminate_backend` in tests).
    public func backendProcessID() async throws -> Int {
        try await onQueue { Int(PQbackendPID(try self.liveHandle())) }
    }

    // MARK: - libpq plumbing (all on `queue`; internal for `PostgresCopy.swift`)

    func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        await takeTurn()
        defer { endTurn() }
        return try await hop(work)
    }

    /// Runs `work` on the connection's queue for a caller that holds the turn.
    private func hop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result(catching: work)) }
        }
    }

    /// Waits until no other statement holds the connection, then holds it (FIFO); `endTurn` lets the next go.
    /// Uncontended, one lock and no suspension.
    private func takeTurn() async {
        let free = turns.withLock { turns -> Bool in
            guard !turns.taken else { return false }
            turns.taken = true
            return true
        }
        guard !free else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let freed = turns.withLock { turns -> Bool in
                guard turns.taken else {
                    turns.taken = true
                    return true
                }
                turns.waiting.append(continuation)
                return false
            }
            if freed { continuation.resume() }
        }
    }

    /// Hands the connection to the statement that waited longest, or leaves it free.
    private func endTurn() {
        let next = turns.withLock { turns -> CheckedContinuation<Void, Never>? in
            guard !turns.waiting.isEmpty else {
                turns.taken = false
                return nil
            }
            return turns.waiting.removeFirst()
        }
        next?.resume()
    }

    func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError(code: .closed, message: "the connection is closed") }
        return handle
    }

    /// The parameter types are fixed when a statement is prepared: binary bytea or inferred.
    private static func preparedKey(_ sql: SQL) -> String {
        sql.binds.map { if case .bytea = $0 { "b" } else { "t" } }.joined() + ":" + sql.text
    }

    // MARK: - One statement: sent, then its answer read

    /// What one round trip of a statement does: run it unnamed, prepare it under a name, or run the prepared one.
    private enum Step {
        case unnamed
        case prepare(String)
        case execute(String)
    }

    /// Parameters up to this size are sent from the caller's thread: the socket's buffer takes them
    /// without waiting for the server (libpq's blocking send waits only while the buffer is full).
    /// Larger statements (imports) run on the queue, so no cooperative thread waits for them.
    static let inlineSendLimit = 64 * 1024

    /// True when `sql` is sent from the caller's thread and its answer awaited through `SocketReadiness`
    /// (Linux, a socket in the clear, parameters within `inlineSendLimit`); otherwise the whole round trip
    /// runs on the queue.
    private static func sendsInline(_ sql: SQL, plainSocket: Bool) -> Bool {
        #if os(Linux)
            guard plainSocket, SocketReadiness.shared.isAvailable else { return false }
            var size = sql.text.utf8.count
            for bind in sql.binds {
                switch bind {
                case .null: break
                case .text(let text): size += text.utf8.count
                case .bytea(let bytes): size += bytes.count
                }
                if size > inlineSendLimit { return false }
            }
            return true
        #else
            return false
        #endif
    }

    /// One round trip of `step` for a caller that holds the turn. Inline: sent from the caller's thread, the
    /// answer awaited as `wait` says (`receive`). Otherwise sent and read to its end on the queue.
    private func run(_ step: Step, _ sql: SQL, inline: Bool, wait: AnswerWait = .suspending) async throws
        -> QueryResult
    {
        #if os(Linux)
            if inline {
                try queue.sync { try self.send(step, sql) }
                return try await receive(query: sql.text, wait: wait)
            }
        #endif
        return try await hop {
            try self.send(step, sql)
            return try self.finishSync(Results(), query: sql.text)
        }
    }

    /// Sends `step` (libpq's asynchronous send; on this blocking connection it returns once the request is
    /// written). On `queue`.
    private func send(_ step: Step, _ sql: SQL) throws {
        let connection = try liveHandle()
        try Self.withParameters(sql) { count, types, values, lengths, formats in
            let sent =
                switch step {
                case .unnamed: PQsendQueryParams(connection, sql.text, count, types, values, lengths, formats, 0)
                case .prepare(let name): PQsendPrepare(connection, name, sql.text, count, types)
                case .execute(let name): PQsendQueryPrepared(connection, name, count, values, lengths, formats, 0)
                }
            guard sent == 1 else {
                let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .server : .connectionLost
                throw PostgresError(code: code, message: Self.errorMessage(connection), query: sql.text)
            }
        }
    }

    /// Reads the rest of the answer to the statement sent last, blocking this thread (the queue's) in libpq
    /// until every result has come, and gives it as `PQexec` would: the last result, or the first that failed.
    private func finishSync(_ results: Results, query: String) throws -> QueryResult {
        let connection = try liveHandle()
        while PQstatus(connection) != CONNECTION_BAD, let result = PQgetResult(connection) {
            let status = PQresultStatus(result)
            results.add(result)
            // As PQexec: a COPY waits for data no statement here sends; stop and report it as a failure.
            if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH { break }
        }
        return try Self.consume(results.take(), connection: connection, query: query)
    }

    #if os(Linux)
        /// The answer to the statement just sent. The task waits in `SocketReadiness`, holding no thread, until
        /// the socket has something; usually that is the whole answer. An answer still incomplete then is
        /// arriving in pieces (a page of the log is hundreds of KiB, which the server flushes 8 KiB at a time),
        /// and the rest is read on the connection's own thread in one blocking loop (`finishSync`), as `PQexec`
        /// reads: through the readiness thread every piece would cost a wake-up of that thread and a hand-off
        /// to a task (it doubled the system time of reading the log). So is the rare answer that something
        /// else (a notice, a notification) came before.
        ///
        /// How the task waits until the socket has something is `wait`'s to say (`AnswerWait`).
        private func receive(query: String, wait: AnswerWait) async throws -> QueryResult {
            let results = Results()
            let socket = try queue.sync { try self.liveSocket(results) }
            await wait.readable(socket, suspendingIn: socketWaiter)
            guard try queue.sync(execute: { try self.readSync(into: results) }) else {
                return try await hop { try self.finishSync(results, query: query) }
            }
            return try queue.sync { try Self.consume(results.take(), connection: try self.liveHandle(), query: query) }
        }

        /// The socket to wait on; throws (dropping what was read) when the connection has none.
        private func liveSocket(_ results: Results) throws -> Int32 {
            let socket = PQsocket(try liveHandle())
            guard socket >= 0 else {
                results.discard()
                throw PostgresError(code: .connectionLost, message: "the connection has no socket")
            }
            return socket
        }

        /// Reads what has arrived and takes every result libpq can give without waiting; true once it gave the
        /// last. Throws (dropping what was read) when the connection is lost.
        private func readSync(into results: Results) throws -> Bool {
            let connection = try liveHandle()
            guard PQconsumeInput(connection) == 1 else {
                results.discard()
                throw PostgresError(code: .connectionLost, message: Self.errorMessage(connection))
            }
            while PQisBusy(connection) == 0 {
                guard let result = PQgetResult(connection) else { return true }
                let status = PQresultStatus(result)
                results.add(result)
                // As PQexec: a COPY waits for data no statement here sends; stop and report it as a failure.
                if status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH { return true }
            }
            return false
        }
    #endif

    /// The results of one statement while they arrive: the last, or the first failure (as `PQexec` keeps).
    private final class Results: @unchecked Sendable {
        // @unchecked: used by one task, only on `queue` (inside `sync` or a job), one step after another.
        private var kept: OpaquePointer?

        func add(_ result: OpaquePointer) {
            if let kept {
                if PQresultStatus(kept) == PGRES_FATAL_ERROR {
                    PQclear(result)
                    return
                }
                PQclear(kept)
            }
            kept = result
        }

        func take() -> OpaquePointer? {
            defer { kept = nil }
            return kept
        }

        func discard() {
            if let kept { PQclear(kept) }
            kept = nil
        }

        deinit { discard() }
    }

    /// Calls `body` with the statement's parameters laid out as libpq takes them.
    private static func withParameters<T>(
        _ sql: SQL,
        _ body: (
            Int32, [Oid], [UnsafePointer<CChar>?], [Int32], [Int32]
        ) throws -> T
    ) throws -> T {
        let count = sql.binds.count
        var values = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        var lengths = [Int32](repeating: 0, count: count)
        var formats = [Int32](repeating: 0, count: count)
        var types = [Oid](repeating: 0, count: count)
        defer { for value in values { free(value) } }
        for (index, bind) in sql.binds.enumerated() {
            switch bind {
            case .null:
                break
            case .text(let text):
                guard !containsNUL(text) else {
                    throw PostgresError(
                        code: .server,
                        message: "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot hold",
                        sqlState: "22021", query: sql.text)
                }
                values[index] = strdup(text)
                lengths[index] = Int32(text.utf8.count)
            case .bytea(let bytes):
                guard let buffer = malloc(max(1, bytes.count))?.assumingMemoryBound(to: CChar.self) else {
                    throw PostgresError(code: .server, message: "out of memory binding parameter $\(index + 1)")
                }
                bytes.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { memcpy(buffer, base, bytes.count) }
                }
                values[index] = buffer
                lengths[index] = Int32(bytes.count)
                formats[index] = 1
                types[index] = 17  // bytea
            }
        }
        return try body(Int32(count), types, values.map { UnsafePointer<CChar>($0) }, lengths, formats)
    }

    /// True when `text` holds a NUL byte. `memchr` over the UTF-8 where it is contiguous (a native string): the
    /// generic byte-by-byte `contains` was ~8 % of the client CPU of an append of 100 events (one ~30 KB parameter).
    private static func containsNUL(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, 0, bytes.count) != nil
        } ?? text.utf8.contains(0)
    }

    /// Takes a result from libpq: its rows are read in place and it is freed with them (`QueryResult`);
    /// throws the server's error (and frees it) if it failed.
    private static func consume(_ result: OpaquePointer?, connection: OpaquePointer, query: String) throws
        -> QueryResult
    {
        guard let result else {
            let code: PostgresError.Code = PQstatus(connection) == CONNECTION_OK ? .server : .connectionLost
            throw PostgresError(code: code, message: errorMessage(connection), query: query)
        }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
            return QueryResult(storage: QueryResult.Storage(result: result), affectedRows: affected)
        default:
            defer { PQclear(result) }
            throw makeError(result, connection: connection, query: query)
        }
    }

    static func makeError(_ result: OpaquePointer, connection: OpaquePointer, query: String) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else { return nil }
            return String(cString: value)
        }
        let lost = PQstatus(connection) != CONNECTION_OK
        let primary = field("M") ?? String(cString: PQresultErrorMessage(result))
        return PostgresError(
            code: lost ? .connectionLost : .server,
            message: primary.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                ? errorMessage(connection) : primary.trimmingCharacters(in: .whitespacesAndNewlines),
            sqlState: field("C"), detail: field("D"), hint: field("H"), constraint: field("n"),
            table: field("t"), column: field("c"), query: query)
    }

    static func errorMessage(_ connection: OpaquePointer) -> String {
        guard let message = PQerrorMessage(connection) else { return "unknown libpq error" }
        let text = String(cString: message).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return text.isEmpty ? "unknown libpq error" : text
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call only.
private func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let duplicated = strings.map { strdup($0) }
    defer { for pointer in duplicated { free(pointer) } }
    return body(duplicated.map { UnsafePointer($0) } + [nil])
}
