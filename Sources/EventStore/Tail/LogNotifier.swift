import Postgres

/// The store's one listening connection: every live reader of the process (each `LogTail`) waits on
/// it, so following the log costs one connection however many readers there are. The only place that
/// issues `LISTEN`.
///
/// A reader takes a `mark` before it reads (which opens the connection and listens, if it is not
/// already), then, having found nothing new, `wait`s for a notification after that mark. A commit
/// between the read and the wait therefore still wakes it. Reconnecting after the connection broke
/// wakes every waiter, since notifications may have been lost in between. The connection closes
/// once nobody has used it for `idleClose`.
public actor LogNotifier {
    private struct Waiter {
        var after: UInt64
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Bool, Never>
    }

    private let configuration: PostgresConfiguration
    private let channel: String
    /// How long an unused connection stays open.
    public let idleClose: Duration

    private var connection: PostgresConnection?
    private var connecting: Task<PostgresConnection, any Error>?
    /// Bumped on every batch of notifications and on every (re)connection.
    private var generation: UInt64 = 0
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiter = 0
    private var lastUse = ContinuousClock.now
    private var pump: Task<Void, Never>?

    /// Listening connections opened so far (a reconnection counts again).
    public private(set) var connectionsOpened = 0

    init(configuration: PostgresConfiguration, channel: String, idleClose: Duration = .seconds(10)) {
        self.configuration = configuration
        self.channel = channel
        self.idleClose = idleClose
    }

    /// True while the listening connection is open.
    public var isListening: Bool { connection != nil }

    /// Readers waiting for a notification right now.
    public var waiting: Int { waiters.count }

    /// Listens (connecting first if needed) and returns the current mark; `wait(after:)` that mark
    /// returns at the first notification that arrives after this call. Throws when it cannot connect.
    public func mark() async throws -> UInt64 {
        lastUse = .now
        if connection == nil { try await connect() }
        return generation
    }

    /// Waits until a notification arrived after `mark`, or `timeout` passed, or the task is cancelled.
    /// Returns true when woken by a notification (or a reconnection), false otherwise.
    public func wait(after mark: UInt64, timeout: Duration) async -> Bool {
        lastUse = .now
        if generation > mark { return true }
        guard connection != nil, timeout > .zero else { return false }
        let id = nextWaiter
        nextWaiter += 1
        let deadline = ContinuousClock.now + timeout
        let woken = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiters[id] = Waiter(after: mark, deadline: deadline, continuation: continuation)
                }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
        lastUse = .now
        return woken
    }

    /// Closes the connection and releases every waiter (for shutdown); the next `mark` opens it again.
    public func close() async {
        pump?.cancel()
        pump = nil
        await drop(wakeWaiters: true)
    }

    // MARK: - The connection

    private func connect() async throws {
        if let connecting {
            _ = try await connecting.value
            return
        }
        let configuration = self.configuration
        let channel = self.channel
        let attempt = Task {
            let connection = try await PostgresConnection.connect(configuration)
            do {
                try await connection.listen(channel)
            } catch {
                await connection.close()
                throw error
            }
            return connection
        }
        connecting = attempt
        defer { connecting = nil }
        let connection = try await attempt.value
        self.connection = connection
        connectionsOpened += 1
        // Whatever was notified before we listened is lost: everyone re-reads.
        generation += 1
        wake { _ in true }
        pump = Task { await self.receive(on: connection) }
    }

    /// Reads notifications until the connection breaks or falls idle.
    private func receive(on connection: PostgresConnection) async {
        while !Task.isCancelled, self.connection === connection {
            let slice = Duration.milliseconds(waiters.isEmpty ? 500 : 200)
            do {
                guard try await connection.waitForNotification(timeout: slice) != nil else {
                    expire()
                    if waiters.isEmpty && ContinuousClock.now - lastUse > idleClose { break }
                    continue
                }
                // Drain the queue: one read by each reader catches up with all of them.
                while try await connection.waitForNotification(timeout: .zero) != nil {}
                generation += 1
                let generation = self.generation
                wake { $0.after < generation }
            } catch {
                break
            }
        }
        guard self.connection === connection else { return }
        pump = nil
        // Broken or idle: drop it; waiters re-read (and reconnect through `mark`).
        await drop(wakeWaiters: true)
    }

    private func drop(wakeWaiters: Bool) async {
        let connection = self.connection
        self.connection = nil
        // Notifications may be missed until the next connection: every mark taken so far is stale.
        generation += 1
        if wakeWaiters { wake { _ in true } }
        await connection?.close()
    }

    private func wake(_ predicate: (Waiter) -> Bool) {
        for (id, waiter) in waiters where predicate(waiter) {
            waiters[id] = nil
            waiter.continuation.resume(returning: true)
        }
    }

    private func expire() {
        let now = ContinuousClock.now
        for (id, waiter) in waiters where waiter.deadline <= now {
            waiters[id] = nil
            waiter.continuation.resume(returning: false)
        }
    }

    private func cancel(_ id: Int) {
        // Already woken (or never registered, having seen the cancellation itself): nothing to do.
        waiters.removeValue(forKey: id)?.continuation.resume(returning: false)
    }
}
