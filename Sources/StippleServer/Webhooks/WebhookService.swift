import ClinicService
import EventStore
import Foundation
import Logging
import ServiceLifecycle

/// Runs inside `stipple serve`: one delivery task per active webhook, started and stopped as
/// webhooks are registered, deleted or their keys revoked (the table is re-read every
/// `refreshInterval`). Stops on graceful shutdown once each in-flight POST has been answered
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

        public init(
            refreshInterval: Duration = .seconds(5), batchSize: Int = 50, initialBackoff: Duration = .seconds(1),
            maximumBackoff: Duration = .seconds(300), connectTimeout: Duration = .seconds(5),
            requestTimeout: Duration = .seconds(10)
        ) {
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
    let configuration: Configuration
    let logger: Logger

    public init(store: EventStore, configuration: Configuration = .init(), logger: Logger) {
        self.store = store
        self.webhooks = WebhookStore(pool: store.pool)
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await supervise()
        }
    }

    /// Keeps one deliverer per active webhook until cancelled, then stops them all and waits.
    func supervise() async {
        let deliverer = WebhookDeliverer(
            store: store, webhooks: webhooks, configuration: configuration, logger: logger)
        let finished = Locked<Set<UUID>>([])
        var running: [UUID: Task<Void, Never>] = [:]
        while !Task.isCancelled {
            for id in finished.withLock({ set in
                defer { set.removeAll() }
                return set
            }) {
                running[id] = nil
            }
            do {
                let active = try await webhooks.active()
                let wanted = Set(active.map(\.webhook.id))
                for (id, task) in running where !wanted.contains(id) {
                    task.cancel()
                    running[id] = nil
                }
                for webhook in active where running[webhook.webhook.id] == nil {
                    let id = webhook.webhook.id
                    running[id] = Task {
                        await deliverer.run(webhook)
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
    }
}
