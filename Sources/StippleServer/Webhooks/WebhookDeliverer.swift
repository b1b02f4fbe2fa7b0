import EventStore
import Foundation
import Logging
import Postgres

/// Delivers one webhook's events in log order until its task is cancelled.
///
/// It is a subscription of the server's `LogFollower` (the one live reader of the log) for the
/// webhook's categories, from the webhook's checkpoint, and POSTs the events in batches of at most
/// `batchSize`. A batch is retried, unchanged, until the receiver answers 2xx; only then does the
/// checkpoint move (in the database first, then in memory), so the next batch never goes out before
/// the previous one was acknowledged. Between attempts it waits `backoff(attempt)`: exponential,
/// capped, with jitter. When the feed moves past events of other categories only, the checkpoint
/// follows without a delivery (at most once a second). The POST and the checkpoint write that
/// follows it are not cancelled by shutdown (they run in their own task, bounded by the request
/// timeout), so an acknowledged batch is always recorded as such before the deliverer stops.
struct WebhookDeliverer: Sendable {
    let store: EventStore
    let webhooks: WebhookStore
    let follower: LogFollower
    let configuration: WebhookService.Configuration
    let logger: Logger

    /// The batch being delivered.
    struct Batch: Sendable {
        var events: [RecordedEvent]
        /// Where the checkpoint moves once acknowledged.
        var checkpoint: Int64
    }

    /// The webhook's share of the feed, from `checkpoint`.
    private func feed(_ webhook: Webhook, after checkpoint: Int64) -> LogFollower.Subscription.Iterator {
        follower.subscribe(
            after: Checkpoint(position: checkpoint), categories: webhook.categories.map { Set($0) },
            batchSize: configuration.batchSize * 4
        ).makeAsyncIterator()
    }

    /// Delivers until cancelled, or until `holdsLease` (asked before each POST) answers false: a
    /// deliverer whose lease is gone sends nothing more, since another process may hold it now.
    func run(_ active: WebhookStore.Active, holdsLease: @escaping @Sendable () async -> Bool = { true }) async {
        let webhook = active.webhook
        // The checkpoint as recorded in the database (the feed may be ahead of it, past other categories).
        var checkpoint = webhook.status.checkpoint
        var attempts = webhook.status.attempts
        var failingSince = webhook.status.failingSince
        var secrets: [String] = []
        var feed = self.feed(webhook, after: checkpoint)
        var lastMove = ContinuousClock.now
        let client = WebhookHTTPClient(
            connectTimeout: configuration.connectTimeout, requestTimeout: configuration.requestTimeout,
            destinations: configuration.destinations)
        var backoff = ReconnectBackoff()
        while !Task.isCancelled {
            let batch: Batch
            do {
                // Connection trouble is retried inside the feed; what comes out here is anything else.
                guard let next = try await feed.nextBatch(limit: configuration.batchSize) else { return }
                batch = Batch(events: next.events, checkpoint: next.reached.position)
                backoff.reset()
            } catch {
                if Task.isCancelled || error is CancellationError { return }
                logger.warning(
                    "webhook: cannot read the log", metadata: ["webhook": "\(webhook.id)", "error": "\(error)"])
                await backoff.wait()
                feed = self.feed(webhook, after: checkpoint)
                continue
            }
            if batch.events.isEmpty {
                // Nothing of ours in this stretch of the log: move past it without a delivery, now and then.
                guard ContinuousClock.now - lastMove >= .seconds(1) else { continue }
                guard await persist(webhook.id, from: checkpoint, to: batch.checkpoint, delivered: 0) else { return }
                checkpoint = batch.checkpoint
                lastMove = .now
                continue
            }
            let body = Self.body(webhook: webhook, batch: batch)
            // Clients' events leave the clinic: the access log names the key's holder as the reader.
            while !Task.isCancelled {
                do {
                    try await APIAccessLog(pool: store.pool).record(
                        actor: active.keyName, action: "webhook.delivery",
                        clients: APIAccessLog.clientStreams(batch.events),
                        reason: "webhook \(webhook.id.uuidString.lowercased())")
                    break
                } catch {
                    await backoff.wait()
                }
            }
            while !Task.isCancelled {
                // Read at each attempt, so a rotated secret signs the next POST (beside the old one while
                // the overlap lasts); a webhook deleted or disabled meanwhile stops here.
                let now = configuration.now()
                guard let current = await signingSecrets(webhook.id, now: now, known: secrets) else { return }
                secrets = current
                guard await holdsLease() else {
                    logger.warning(
                        "webhook: lost the delivery lease; stopping before the next POST",
                        metadata: ["webhook": "\(webhook.id)"])
                    return
                }
                attempts += 1
                let headers = Self.headers(
                    webhook: webhook, batch: batch, body: body, secrets: secrets, time: now, attempt: attempts)
                let previous = checkpoint
                // Not cancelled by shutdown: once sent, the answer and its checkpoint are recorded.
                let outcome = await Task {
                    do {
                        let reply = try await client.post(url: webhook.url, headers: headers, body: body)
                        guard (200..<300).contains(reply.status) else {
                            return Outcome.failed("HTTP \(reply.status): \(reply.body.prefix(200))")
                        }
                        let kept = await persist(
                            webhook.id, from: previous, to: batch.checkpoint, delivered: batch.events.count)
                        return kept ? Outcome.acknowledged : Outcome.gone
                    } catch {
                        return Outcome.failed(String(describing: error))
                    }
                }.value
                switch outcome {
                case .acknowledged:
                    checkpoint = batch.checkpoint
                    lastMove = .now
                    attempts = 0
                    failingSince = nil
                case .gone:
                    return
                case .failed(let reason):
                    logger.info(
                        "webhook delivery failed",
                        metadata: ["webhook": "\(webhook.id)", "attempt": "\(attempts)", "error": "\(reason)"])
                    let failedAt = configuration.now()
                    let since = failingSince ?? failedAt
                    failingSince = since
                    let disabled = configuration.policy.disableReason(
                        attempts: attempts, failingSince: since, now: failedAt, lastError: reason)
                    do {
                        try await webhooks.recordFailure(
                            id: webhook.id, attempts: attempts, error: reason, at: failedAt, failingSince: since,
                            disabledReason: disabled)
                    } catch {
                        // Not recorded: the rule is applied again at the next failure.
                        logger.warning(
                            "webhook: cannot record a failed delivery",
                            metadata: ["webhook": "\(webhook.id)", "error": "\(error)"])
                        try? await Task.sleep(for: configuration.backoff(attempt: attempts))
                        continue
                    }
                    if let disabled {
                        logger.warning(
                            "webhook disabled", metadata: ["webhook": "\(webhook.id)", "reason": "\(disabled)"])
                        return
                    }
                    try? await Task.sleep(for: configuration.backoff(attempt: attempts))
                    continue
                }
                break
            }
        }
    }

    /// The secrets to sign with now, read through database trouble (the last known ones serve while it
    /// lasts); nil when the webhook was deleted or disabled, or the task is cancelled.
    func signingSecrets(_ id: UUID, now: Date, known: [String]) async -> [String]? {
        var backoff = ReconnectBackoff()
        while !Task.isCancelled {
            do {
                return try await webhooks.signingSecrets(id: id, now: now)
            } catch {
                if !known.isEmpty { return known }
                await backoff.wait()
            }
        }
        return nil
    }

    enum Outcome: Sendable {
        case acknowledged
        case failed(String)
        /// The webhook was deleted (or another deliverer moved its checkpoint): stop.
        case gone
    }

    /// Moves the checkpoint, retrying through database trouble for up to 30 s; false when the
    /// webhook is gone (or the database stayed away that long).
    func persist(_ id: UUID, from previous: Int64, to checkpoint: Int64, delivered: Int) async -> Bool {
        var backoff = ReconnectBackoff()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            do {
                return try await webhooks.acknowledge(id: id, from: previous, to: checkpoint, delivered: delivered)
            } catch {
                logger.warning(
                    "webhook: cannot record the checkpoint; retrying",
                    metadata: ["webhook": "\(id)", "error": "\(error)"])
                if delivered == 0 && Task.isCancelled { return false }
                // After a 2xx the checkpoint must be written, or the batch would be sent again.
                await backoff.wait()
            }
        }
        // Give up so shutdown is not held forever; a restart resends this batch (same Stipple-Delivery).
        return false
    }

    /// `{"checkpoint": "N", "delivery": id, "events": [...], "webhook": id}`, keys sorted; the events
    /// as the feed sends them.
    static func body(webhook: Webhook, batch: Batch) -> Data {
        EventJSON.document([
            "webhook": .string(webhook.id.uuidString.lowercased()),
            "delivery": .string(deliveryID(webhook: webhook, batch: batch)),
            "checkpoint": .string(String(batch.checkpoint)), "events": .events(batch.events),
        ])
    }

    /// Stable across retries of the same batch, so receivers can recognise a repeat.
    static func deliveryID(webhook: Webhook, batch: Batch) -> String {
        "\(webhook.id.uuidString.lowercased()):\(batch.events.first?.position ?? 0)-\(batch.events.last?.position ?? 0)"
    }

    static func headers(
        webhook: Webhook, batch: Batch, body: Data, secrets: [String], time: Date, attempt: Int
    ) -> [(String, String)] {
        [
            ("Content-Type", "application/json"),
            ("User-Agent", "stipple-webhooks/1"),
            ("Stipple-Signature", WebhookSignature.header(body: body, secrets: secrets, time: time)),
            ("Stipple-Delivery", deliveryID(webhook: webhook, batch: batch)),
            ("Stipple-Webhook", webhook.id.uuidString.lowercased()),
            (
                "Stipple-Event-Positions",
                "\(batch.events.first?.position ?? 0)-\(batch.events.last?.position ?? 0)"
            ),
            ("Stipple-Attempt", String(attempt)),
        ]
    }
}
