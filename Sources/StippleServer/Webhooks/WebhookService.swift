import ClinicService
import EventStore
import Foundation
import Logging
import ServiceLifecycle

/// Runs inside `stipple serve`: one delivery task per active webhook, started and stopped as
/// webhooks are registered, deleted or their keys revoked (the table is re-read every
/// `refreshInterval`). Each delivery is a subscription of the server's `LogFollower`, so webhooks
/// add no reader of the log of their own. Stops on graceful shutdown once each in-flight POST has been answered
/// (or timed out) and recorded.
public struct WebhookService: Service {
    /// How deliveries are made and retried.
    public struct Configuration: Sendable {
        /// How often the list of webhooks is re-read.
        public var refreshInterval: Duration
        /// Most events per POST.
        public var batchSize: Int
        /// The wait after the first failed attempt; it doubles with each further failure.
        public var initialBackoff: Duration
        /// The longest wait between attempts.
        public var maximumBackoff: Duration
        public var connectTimeout: Duration
        /// The longest a receiver may take to answer; longer counts as a failed attempt.
        public var requestTimeout: Duration
        /// Where deliveries may go (https:// on public addresses unless the operator allows more).
        public var destinations: WebhookDestinations
        /// When failing deliveries disable a webhook.
        public var policy: WebhookPolicy
        /// The wall clock deliveries read: signature times, failure times for `policy`, secret overlaps.
        /// Tests pass a clock they move, so a day of failures takes no day.
        public var now: @Sendable () -> Date

        public init(
            refreshInterval: Duration = .seconds(5), batchSize: Int = 50, initialBackoff: Duration = .seconds(1),
            maximumBackoff: Duration = .seconds(300), connectTimeout: Duration = .seconds(5),
            requestTimeout: Duration = .seconds(10), destinations: WebhookDestinations = WebhookDestinations(),
            policy: WebhookPolicy = .standard, now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.destinations = destinations
            self.policy = policy
            self.now = now
            self.refreshInterval = refreshInterval
            self.batchSize = min(max(1, batchSize), 250)
            self.initialBackoff = initialBackoff
            self.maximumBackoff = max(maximumBackoff, initialBackoff)
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
        }

        /// The wait after failed attempt number `attempt` (1, 2, …): `initialBackoff · 2^(attempt-1)`,
        /// capped at `maximumBackoff`, then scaled by a random factor in [0.5, 1] (jitter, so many
        /// webhooks failing together do not retry in lockstep).
        public func backoff(attempt: Int, jitter: Double = Double.random(in: 0.5...1)) -> Duration {
            let exponent = min(max(0, attempt - 1), 30)
            let raw = initialBackoff.inSeconds * Double(1 << exponent)
            let capped = min(raw, maximumBackoff.inSeconds)
            return .milliseconds(Int64(capped * min(max(jitter, 0), 1) * 1000))
        }
    }

    let store: EventStore
    let webhooks: WebhookStore
    let follower: LogFollower
    /// Coordinates deliveries with other processes on the same database; nil delivers every webhook.
    let leases: LeaseHolder?
    let configuration: Configuration
    let logger: Logger

    /// Deliveries that follow the log through `follower` (the server's shared one), or through a
    /// follower of their own when none is given; with `leases`, only of the webhooks whose lease
    /// this process holds.
    public init(
        store: EventStore, configuration: Configuration = .init(), logger: Logger, follower: LogFollower? = nil,
        leases: LeaseHolder? = nil
    ) {
        self.store = store
        self.webhooks = WebhookStore(pool: store.pool)
        self.follower = follower ?? LogFollower(store: store)
        self.leases = leases
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await supervise()
        }
    }

    /// Keeps one deliverer per active webhook until cancelled, then stops them all and waits.
    ///
    /// With `leases`, a deliverer runs only while this process holds the webhook's lease, so of
    /// several servers on one database exactly one delivers each webhook; a lease left by a dead
    /// process is taken at the next refresh.
    func supervise() async {
        let deliverer = WebhookDeliverer(
            store: store, webhooks: webhooks, follower: follower, configuration: configuration, logger: logger)
        let finished = Locked<Set<UUID>>([])
        var running: [UUID: Task<Void, Never>] = [:]
        /// Cancelled, not yet finished: its lease is kept until it has.
        var stopping: [UUID: Task<Void, Never>] = [:]
        while !Task.isCancelled {
            for id in finished.withLock({ set in
                defer { set.removeAll() }
                return set
            }) {
                running[id] = nil
                stopping[id] = nil
                await leases?.release(Self.lease(id))
            }
            if let leases {
                // A delivery whose lease is gone (its connection broke) may be taken by another process
                // now: stop ours until the lease is retaken.
                let held = await leases.verify()
                for (id, task) in running where !held.contains(Self.lease(id)) {
                    logger.warning(
                        "webhooks: lost a delivery lease; stopping until retaken", metadata: ["webhook": "\(id)"])
                    task.cancel()
                    stopping[id] = task
                    running[id] = nil
                }
            }
            do {
                let active = try await webhooks.active()
                let wanted = Set(active.map(\.webhook.id))
                for (id, task) in running where !wanted.contains(id) {
                    task.cancel()
                    running[id] = nil
                    stopping[id] = task
                }
                for webhook in active where running[webhook.webhook.id] == nil && stopping[webhook.webhook.id] == nil {
                    let id = webhook.webhook.id
                    if let leases, !(try await leases.acquire(Self.lease(id))) { continue }
                    let lease = Self.lease(id)
                    running[id] = Task { [leases] in
                        await deliverer.run(webhook) {
                            guard let leases else { return true }
                            return await leases.verify().contains(lease)
                        }
                        finished.withLock { _ = $0.insert(id) }
                    }
                }
            } catch {
                if !Task.isCancelled {
                    logger.warning("webhooks: cannot read the list of webhooks", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: configuration.refreshInterval)
        }
        for task in running.values { task.cancel() }
        for task in running.values { await task.value }
        for task in stopping.values { await task.value }
        for id in Set(running.keys).union(stopping.keys) { await leases?.release(Self.lease(id)) }
    }

    /// The lease that lets one process deliver a webhook.
    static func lease(_ id: UUID) -> String {
        "webhook:" + id.uuidString.lowercased()
    }
}
