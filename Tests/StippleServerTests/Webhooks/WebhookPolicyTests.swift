import EventStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import TestSupport

@testable import StippleServer

/// A wall clock the test moves by hand: a day of failures takes no day.
final class ManualClock: Sendable {
    let time: Locked<Date>

    /// Starts at a whole second (PostgreSQL keeps microseconds, so times read back compare equal).
    init(_ start: Date = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))) {
        time = Locked(start)
    }

    var now: @Sendable () -> Date { { [time] in time.value } }

    func advance(hours: Double) {
        time.withLock { $0 = $0.addingTimeInterval(hours * 3600) }
    }
}

/// Runs a webhook service in the background for the length of `body`.
func withWebhookService<T>(
    _ store: EventStore, configuration: WebhookService.Configuration, _ body: () async throws -> T
) async throws -> T {
    var logger = Logger(label: "stipple.test.webhooks")
    logger.logLevel = .critical
    let service = WebhookService(store: store, configuration: configuration, logger: logger)
    let task = Task { await service.supervise() }
    do {
        let value = try await body()
        task.cancel()
        await task.value
        return value
    } catch {
        task.cancel()
        await task.value
        throw error
    }
}

@Suite("Webhook policy: disabling, re-enabling, secret rotation")
struct WebhookPolicyTests {
    static func request(
        _ fixture: ServerFixture, _ key: String, _ method: HTTPRequest.Method, _ uri: String,
        body: [String: Any]? = nil, contentType: String? = "application/json"
    ) async throws -> TestResponse {
        let buffer = body.map(jsonBody)
        return try await fixture.test { client in
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(key)"
            if let contentType { headers[.contentType] = contentType }
            return try await client.execute(uri: uri, method: method, headers: headers, body: buffer)
        }
    }

    static func configuration(_ clock: ManualClock) -> (WebhookService.Configuration, StippleServerConfiguration) {
        var webhooks = WebhookDeliveryTests.fast
        webhooks.now = clock.now
        return (webhooks, StippleServerConfiguration(runProjections: false, runWebhooks: false, webhooks: webhooks))
    }

    @Test("the rule needs both: N consecutive failures and at least T since the first of them")
    func rule() throws {
        let policy = WebhookPolicy.standard
        #expect(policy.failures == 20 && policy.period == .seconds(86_400))
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        // Many failures within a day: kept.
        #expect(policy.disableReason(attempts: 500, failingSince: start, now: start + 86_399, lastError: "x") == nil)
        // A day and more, but fewer failures: kept.
        #expect(policy.disableReason(attempts: 19, failingSince: start, now: start + 3 * 86_400, lastError: "x") == nil)
        // Both: disabled, saying why.
        let reason = try #require(
            policy.disableReason(attempts: 20, failingSince: start, now: start + 86_400, lastError: "HTTP 500: no"))
        #expect(reason.contains("20 consecutive failed deliveries over 24 h"), "\(reason)")
        #expect(reason.contains("2026-01-01T00:00:00Z"))
        #expect(reason.contains("HTTP 500: no"))
        #expect(reason.contains("/enable"))
        let quick = WebhookPolicy(failures: 3, period: .seconds(5400))
        #expect(quick.disableReason(attempts: 3, failingSince: start, now: start + 5399, lastError: "x") == nil)
        #expect(
            quick.disableReason(attempts: 3, failingSince: start, now: start + 5400, lastError: "x")?
                .contains("over 1.5 h") == true)
        #expect(WebhookPolicy(failures: 0, period: .seconds(-5)) == WebhookPolicy(failures: 1, period: .zero))
    }

    @Test(
        "a receiver failing 20 times within a day keeps its webhook; at 24 h it is disabled with its reason on GET; re-enabled, it resumes from its checkpoint and skips nothing",
        .timeLimit(.minutes(8)))
    func disableAndEnable() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let (webhooks, server) = Self.configuration(clock)
        let failing = Locked(true)
        try await ServerFixture.with(configuration: server) { fixture in
            let store = fixture.database.store
            try await WebhookReceiver.with(script: { _ in failing.value ? .status(500) : .status(200) }) { receiver in
                let key = try await fixture.app.keys.create(name: "crm", role: .integrator, categories: ["client"])
                let other = try #require(fixture.keys[.integrator])
                let created = try await Self.request(
                    fixture, key.secret, .post, "/v1/webhooks",
                    body: ["url": "http://127.0.0.1:\(receiver.port)/hook", "after": "0"])
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.json["id"] as? String)
                let hooks = WebhookStore(pool: store.pool)
                let webhookID = try #require(UUID(uuidString: id))
                func status() async throws -> Webhook.DeliveryStatus {
                    try #require(try await hooks.webhook(id: webhookID)).status
                }
                func delivered() -> [Int64] {
                    receiver.received.value.filter(\.acknowledged).flatMap { WebhookDeliveryTests.positions($0.body) }
                }
                try await WebhookDeliveryTests.append(store, count: 6, from: 0)

                try await withWebhookService(store, configuration: webhooks) {
                    // 25 failures with the clock standing still: past N, short of T.
                    #expect(try await eventually { receiver.received.value.count >= 25 })
                    var now = try await status()
                    #expect(now.disabled == nil)
                    #expect(now.attempts >= 20)
                    #expect(now.failingSince == start)
                    // 23 hours later: still short of T.
                    clock.advance(hours: 23)
                    let seen = receiver.received.value.count
                    #expect(try await eventually { receiver.received.value.count >= seen + 2 })
                    #expect(try await status().disabled == nil)
                    // 24 hours after the first failure: disabled at the next one.
                    clock.advance(hours: 1)
                    #expect(try await eventually { try await status().disabled != nil })
                    now = try await status()
                    let disabled = try #require(now.disabled)
                    #expect(disabled.at == start.addingTimeInterval(24 * 3600))
                    #expect(disabled.reason.contains("consecutive failed deliveries over 24 h"), "\(disabled.reason)")
                    #expect(disabled.reason.contains("HTTP 500"), "\(disabled.reason)")
                    #expect(delivered().isEmpty)
                    #expect(now.checkpoint == 0)

                    // The reason is on the webhook's GET (and in the list); another integrator sees nothing.
                    let shown = try await Self.request(fixture, key.secret, .get, "/v1/webhooks/\(id)")
                    #expect(shown.status == .ok)
                    let shownDisabled = try #require(shown.json["disabled"] as? [String: Any])
                    #expect(shownDisabled["reason"] as? String == disabled.reason)
                    #expect((shown.json["delivery"] as? [String: Any])?["failing_since"] is String)
                    let listed = try await Self.request(fixture, key.secret, .get, "/v1/webhooks")
                    #expect(listed.text.contains("consecutive failed deliveries"))
                    #expect(try await Self.request(fixture, other, .get, "/v1/webhooks/\(id)").status == .notFound)
                    #expect(
                        try await Self.request(fixture, other, .post, "/v1/webhooks/\(id)/enable").status == .notFound)
                    let notUUID = try await Self.request(fixture, key.secret, .post, "/v1/webhooks/nope/enable")
                    #expect(notUUID.status == .notFound)
                    #expect(notUUID.text.contains("UUID"))

                    // Disabled: nothing more is sent, however long we wait.
                    let whenDisabled = receiver.received.value.count
                    try await Task.sleep(for: .seconds(1))
                    #expect(receiver.received.value.count == whenDisabled)

                    // Events appended meanwhile, the receiver fixed, the webhook re-enabled: everything from the
                    // checkpoint, once, in order.
                    try await WebhookDeliveryTests.append(store, count: 6, from: 6)
                    failing.withLock { $0 = false }
                    let enabled = try await Self.request(fixture, key.secret, .post, "/v1/webhooks/\(id)/enable")
                    #expect(enabled.status == .ok, "\(enabled.text)")
                    #expect(enabled.json["disabled"] is NSNull)
                    #expect((enabled.json["delivery"] as? [String: Any])?["attempts"] as? Int == 0)
                    let expected = try await store.readAll(limit: 1000, category: "client").events.map(\.position)
                    #expect(try await eventually { delivered().count >= expected.count })
                    #expect(delivered() == expected)
                    // The checkpoint is written just after the receiver's 2xx.
                    #expect(try await eventually { try await status().checkpoint == expected.last })
                    let after = try await status()
                    #expect(after.disabled == nil && after.failingSince == nil && after.attempts == 0)
                    #expect(after.checkpoint == expected.last)
                }
            }
        }
    }

    @Test(
        "a rotated secret: during the overlap each delivery carries a v1 for the new and one for the old secret, and a receiver verifies with either; after it, only the new one verifies",
        .timeLimit(.minutes(8)))
    func rotation() async throws {
        let clock = ManualClock()
        let (webhooks, server) = Self.configuration(clock)
        try await ServerFixture.with(configuration: server) { fixture in
            let store = fixture.database.store
            try await WebhookReceiver.with(script: { _ in .status(200) }) { receiver in
                let key = try await fixture.app.keys.create(name: "erp", role: .integrator)
                let other = try #require(fixture.keys[.integrator])
                let created = try await Self.request(
                    fixture, key.secret, .post, "/v1/webhooks",
                    body: ["url": "http://127.0.0.1:\(receiver.port)/hook", "after": "0"])
                let id = try #require(created.json["id"] as? String)
                let old = try #require(created.json["secret"] as? String)
                func signatureOfNext(after count: Int) async throws -> (header: String, body: Data) {
                    try await WebhookDeliveryTests.append(store, count: 1, from: count)
                    #expect(try await eventually { receiver.received.value.count > count })
                    let request = try #require(receiver.received.value.last)
                    return (try #require(request.headers["stipple-signature"]), request.body)
                }
                func verifies(_ delivery: (header: String, body: Data), _ secret: String) -> Bool {
                    WebhookSignature.verify(
                        header: delivery.header, body: delivery.body, secret: secret, now: clock.now())
                }
                func macs(_ header: String) -> Int { header.split(separator: ",").filter { $0.hasPrefix("v1=") }.count }

                // Bad rotations: a 400 naming overlap_seconds and its range, 404 for others' or unknown ids, 415.
                for bad: Any in [-1, 604_801, "3600", 1.5] {
                    let response = try await Self.request(
                        fixture, key.secret, .post, "/v1/webhooks/\(id)/rotate-secret", body: ["overlap_seconds": bad])
                    #expect(response.status == .badRequest, "\(bad): \(response.text)")
                    #expect(response.json["field"] as? String == "overlap_seconds", "\(bad): \(response.text)")
                }
                let outOfRange = try await Self.request(
                    fixture, key.secret, .post, "/v1/webhooks/\(id)/rotate-secret", body: ["overlap_seconds": -1])
                #expect((outOfRange.json["detail"] as? String)?.contains("from 0 to 604800") == true)
                #expect(
                    try await Self.request(
                        fixture, other, .post, "/v1/webhooks/\(id)/rotate-secret", body: [:]
                    ).status == .notFound)
                #expect(
                    try await Self.request(
                        fixture, key.secret, .post, "/v1/webhooks/\(id)/rotate-secret", body: [:],
                        contentType: "text/plain"
                    ).status == .unsupportedMediaType)
                #expect(
                    try await Self.request(
                        fixture, key.secret, .post, "/v1/webhooks/\(UUID())/rotate-secret", body: [:]
                    ).status == .notFound)

                try await withWebhookService(store, configuration: webhooks) {
                    let before = try await signatureOfNext(after: 0)
                    #expect(macs(before.header) == 1)
                    #expect(verifies(before, old))

                    let rotated = try await Self.request(
                        fixture, key.secret, .post, "/v1/webhooks/\(id)/rotate-secret", body: ["overlap_seconds": 3600])
                    #expect(rotated.status == .ok, "\(rotated.text)")
                    let new = try #require(rotated.json["secret"] as? String)
                    #expect(new != old && new.hasPrefix("whsec_"))
                    let expires = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(
                        clock.now().addingTimeInterval(3600))
                    #expect(rotated.json["previous_secret_expires_at"] as? String == expires)
                    let shown = try await Self.request(fixture, key.secret, .get, "/v1/webhooks/\(id)")
                    #expect(!shown.text.contains(new) && !shown.text.contains(old))

                    // During the overlap: both secrets sign; a receiver holding either verifies.
                    let during = try await signatureOfNext(after: 1)
                    #expect(macs(during.header) == 2)
                    #expect(verifies(during, new))
                    #expect(verifies(during, old))
                    #expect(!verifies(during, "whsec_" + String(repeating: "0", count: 64)))

                    // After it: only the new secret.
                    clock.advance(hours: 1.01)
                    let after = try await signatureOfNext(after: 2)
                    #expect(macs(after.header) == 1)
                    #expect(verifies(after, new))
                    #expect(!verifies(after, old))

                    // No overlap: the old secret stops at once.
                    let immediate = try await Self.request(
                        fixture, key.secret, .post, "/v1/webhooks/\(id)/rotate-secret", body: ["overlap_seconds": 0])
                    let newest = try #require(immediate.json["secret"] as? String)
                    #expect(immediate.json["previous_secret_expires_at"] is NSNull)
                    let last = try await signatureOfNext(after: 3)
                    #expect(macs(last.header) == 1)
                    #expect(verifies(last, newest))
                    #expect(!verifies(last, new))
                }
                let received = receiver.received.value
                #expect(received.filter { !$0.acknowledged }.isEmpty)
            }
        }
    }
}
