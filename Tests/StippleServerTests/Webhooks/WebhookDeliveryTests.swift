import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import StippleServer

@Suite("Webhook deliveries")
struct WebhookDeliveryTests {
    static let fast = WebhookService.Configuration(
        refreshInterval: .milliseconds(100), batchSize: 4, initialBackoff: .milliseconds(20),
        maximumBackoff: .milliseconds(200), connectTimeout: .seconds(5), requestTimeout: .milliseconds(1500),
        destinations: loopback)

    /// What tests allow explicitly for their receivers on 127.0.0.1: http:// and private addresses.
    static let loopback = WebhookDestinations(allowHTTP: true, allowPrivateAddresses: true)

    /// A server configuration whose webhook routes take loopback receivers.
    static let loopbackServer = StippleServerConfiguration(
        runProjections: false, runWebhooks: false, webhooks: .init(destinations: loopback))

    static func append(_ store: EventStore, count: Int, from start: Int) async throws {
        for index in start..<(start + count) {
            // Every third event is of another category, which the webhook must not get.
            let stream = index % 3 == 2 ? "technician-\(index % 2)" : "client-\(index % 4)"
            try await store.append(
                [NewEvent(type: "thing.happened", json: "{\"n\":\(index)}")], to: try .init(stream),
                expectedVersion: .any)
        }
    }

    /// Runs the delivery service until `done` holds (or 30 s pass), then stops it as shutdown would.
    static func runService(
        _ store: EventStore, configuration: WebhookService.Configuration = fast, until done: @Sendable () -> Bool
    ) async throws {
        var logger = Logger(label: "stipple.test.webhooks")
        logger.logLevel = .critical
        let service = WebhookService(store: store, configuration: configuration, logger: logger)
        let task = Task { await service.supervise() }
        let deadline = ContinuousClock.now + .seconds(30)
        while !done() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        await task.value
    }

    /// The positions in an acknowledged delivery body.
    static func positions(_ body: Data) -> [Int64] {
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        let events = object["events"] as? [[String: Any]] ?? []
        return events.compactMap { ($0["position"] as? NSNumber)?.int64Value }
    }

    @Test(
        "a receiver that fails at first (500s, a dropped connection, a timeout) gets every event once, in order, signed; a restart repeats nothing",
        .timeLimit(.minutes(8)))
    func deliveries() async throws {
        // 1–2: 500, 3: dropped connection, 4: no answer, 5: OK, 6: 503, then OK (200 or 204).
        let script: @Sendable (Int) -> WebhookReceiver.Action = { number in
            switch number {
            case 1, 2: .status(500)
            case 3: .close
            case 4: .hang
            case 6: .status(503)
            default: .status(number % 2 == 0 ? 200 : 204)
            }
        }
        try await ServerFixture.with(configuration: Self.loopbackServer) { fixture in
            let store = fixture.database.store
            try await WebhookReceiver.with(script: script) { receiver in
                // Register through the API, as an integrator limited to clients, from the start of the log.
                let limited = try await fixture.app.keys.create(name: "crm", role: .integrator, categories: ["client"])
                let created = try await fixture.test { client in
                    var headers = HTTPFields()
                    headers[.authorization] = "Bearer \(limited.secret)"
                    headers[.contentType] = "application/json"
                    return try await client.execute(
                        uri: "/v1/webhooks", method: .post, headers: headers,
                        body: jsonBody(["url": "http://127.0.0.1:\(receiver.port)/hooks/stipple?x=1", "after": "0"]))
                }
                #expect(created.status == .created, "\(created.text)")
                let secret = try #require(created.json["secret"] as? String)
                let id = try #require(created.json["id"] as? String).lowercased()
                #expect(created.json["categories"] as? [String] == ["client"])

                try await Self.append(store, count: 30, from: 0)
                let expectedFirst = try await store.readAll(limit: 1000, category: "client").events.map(\.position)
                try await Self.runService(store) {
                    receiver.received.value.filter(\.acknowledged).flatMap { Self.positions($0.body) }.count
                        == expectedFirst.count
                }
                let webhookID = try #require(UUID(uuidString: id))
                let status = try #require(try await WebhookStore(pool: store.pool).webhook(id: webhookID))
                #expect(status.status.checkpoint == expectedFirst.last)
                #expect(status.status.delivered == Int64(expectedFirst.count))
                #expect(status.status.attempts == 0 && status.status.lastError == nil)

                // Stopped; more events; started again: it resumes after the checkpoint.
                try await Self.append(store, count: 15, from: 30)
                let expected = try await store.readAll(limit: 1000, category: "client").events.map(\.position)
                try await Self.runService(store) {
                    receiver.received.value.filter(\.acknowledged).flatMap { Self.positions($0.body) }.count
                        == expected.count
                }

                let received = receiver.received.value
                let acknowledged = received.filter(\.acknowledged)
                let delivered = acknowledged.flatMap { Self.positions($0.body) }
                // Exactly the store's client events, in store order, each once.
                #expect(delivered == expected)
                // Every request, failed or not, is signed over its exact body with the secret.
                for request in received {
                    let signature = try #require(request.headers["stipple-signature"])
                    #expect(WebhookSignature.verify(header: signature, body: request.body, secret: secret))
                    #expect(
                        !WebhookSignature.verify(header: signature, body: request.body + Data(" ".utf8), secret: secret)
                    )
                    #expect(request.headers["stipple-webhook"] == id)
                    #expect(request.headers["content-type"] == "application/json")
                }
                // Strictly in order: a request either retries the pending batch or starts right after the last
                // acknowledged one; nothing is sent twice once acknowledged.
                var lastAcknowledged: Int64 = 0
                var pending: [Int64]?
                for request in received {
                    let positions = Self.positions(request.body)
                    #expect(!positions.isEmpty && positions.count <= 4)
                    if let pending {
                        #expect(positions == pending, "request \(request.number) did not retry the pending batch")
                    } else {
                        #expect((positions.first ?? 0) > lastAcknowledged)
                    }
                    #expect(
                        request.headers["stipple-delivery"] == "\(id):\(positions.first ?? 0)-\(positions.last ?? 0)")
                    if request.acknowledged {
                        lastAcknowledged = positions.last ?? 0
                        pending = nil
                    } else {
                        pending = positions
                    }
                }
                // The failures really happened, and were retried.
                #expect(received.prefix(5).map(\.acknowledged) == [false, false, false, false, true])
                #expect(received[4].headers["stipple-attempt"] == "5")
                #expect(Set(received.prefix(5).map { Self.positions($0.body) }).count == 1)

                // The list route shows the delivery status.
                let listed = try await fixture.test { client in
                    var headers = HTTPFields()
                    headers[.authorization] = "Bearer \(limited.secret)"
                    return try await client.execute(uri: "/v1/webhooks", method: .get, headers: headers)
                }
                let hooks = try #require(listed.json["webhooks"] as? [[String: Any]])
                #expect(hooks.count == 1)
                let delivery = try #require(hooks.first?["delivery"] as? [String: Any])
                #expect(delivery["checkpoint"] as? String == String(expected.last ?? 0))
                #expect(delivery["delivered"] as? Int == expected.count)
                #expect(!listed.text.contains(secret))
                // The clients whose events left through the webhook are in the access log, read by the key's holder.
                let reads = try await AccessLog(pool: store.pool).entries(limit: 1000).filter {
                    $0.action == "webhook.delivery"
                }
                #expect(Set(reads.map(\.subject)) == ["client-0", "client-1", "client-2", "client-3"])
                #expect(reads.allSatisfy { $0.actor == "crm" && $0.channel == .api })
            }
        }
    }

    @Test(
        "a shutdown while a delivery is in flight waits for its answer and records it, so a restart repeats nothing",
        .timeLimit(.minutes(8)))
    func shutdownInFlight() async throws {
        try await ServerFixture.with(configuration: Self.loopbackServer) { fixture in
            let store = fixture.database.store
            try await WebhookReceiver.with(script: { _ in .slow(200, .milliseconds(300)) }) { receiver in
                let key = try await fixture.app.keys.create(name: "erp", role: .integrator)
                let hooks = WebhookStore(pool: store.pool)
                _ = try await hooks.create(
                    url: "http://127.0.0.1:\(receiver.port)/", categories: ["client"], apiKeyID: key.key.id, after: 0)
                try await Self.append(store, count: 3, from: 0)
                // Stop as soon as the first POST arrives (its answer comes 300 ms later, well within the timeout).
                var patient = Self.fast
                patient.requestTimeout = .seconds(20)
                try await Self.runService(store, configuration: patient) {
                    !receiver.received.value.isEmpty || receiver.inFlight.value > 0
                }
                #expect(receiver.received.value.count == 1)
                #expect(receiver.received.value.first?.acknowledged == true)
                let afterStop = try #require(try await hooks.list().first)
                #expect(afterStop.status.checkpoint == Self.positions(receiver.received.value[0].body).last)
                try await Self.append(store, count: 3, from: 3)
                let expected = try await store.readAll(limit: 1000, category: "client").events.map(\.position)
                try await Self.runService(store) {
                    receiver.received.value.flatMap { Self.positions($0.body) }.count >= expected.count
                }
                #expect(receiver.received.value.flatMap { Self.positions($0.body) } == expected)
            }
        }
    }
}

@Suite("Webhook registration")
struct WebhookRouteTests {
    func post(_ client: any TestClientProtocol, _ key: String, _ body: [String: Any]) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(key)"
        headers[.contentType] = "application/json"
        return try await client.execute(uri: "/v1/webhooks", method: .post, headers: headers, body: jsonBody(body))
    }

    @Test("internal destinations and http:// are refused unless the server allows them, on the resolved address")
    func destinations() async throws {
        try await ServerFixture.with { fixture in
            let key = try #require(fixture.keys[.integrator])
            try await fixture.test { client in
                for url in [
                    "http://example.com/hook", "https://127.0.0.1/", "https://10.1.2.3/", "https://172.16.0.9/",
                    "https://192.168.1.1/", "https://169.254.169.254/latest/meta-data/", "https://[::1]/",
                    "https://[fd00:ec2::254]/", "https://[::ffff:127.0.0.1]/", "https://localhost:8443/",
                    "https://100.64.0.1/", "https://0.0.0.0/",
                ] {
                    let response = try await post(client, key, ["url": url])
                    #expect(response.status == .badRequest, "\(url): \(response.text)")
                    #expect(response.json["field"] as? String == "url", "\(url)")
                    let detail = response.json["detail"] as? String ?? ""
                    #expect(detail.contains("https://") || detail.contains("internal address"), "\(url): \(detail)")
                }
            }
        }
        for address in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1"] {
            #expect(WebhookDestinations.isInternal(address), "\(address)")
        }
        for address in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"] {
            #expect(!WebhookDestinations.isInternal(address), "\(address)")
        }
        // Refused again at delivery time: a strict deliverer never reaches a loopback receiver.
        try await ServerFixture.with(configuration: WebhookDeliveryTests.loopbackServer) { fixture in
            let store = fixture.database.store
            try await WebhookReceiver.with(script: { _ in .status(200) }) { receiver in
                let key = try await fixture.app.keys.create(name: "crm", role: .integrator)
                let hooks = WebhookStore(pool: store.pool)
                let (webhook, _) = try await hooks.create(
                    url: "http://127.0.0.1:\(receiver.port)/", categories: nil, apiKeyID: key.key.id, after: 0)
                try await WebhookDeliveryTests.append(store, count: 2, from: 0)
                var strict = WebhookDeliveryTests.fast
                strict.destinations = WebhookDestinations()
                let stop = ContinuousClock.now + .seconds(2)
                try await WebhookDeliveryTests.runService(store, configuration: strict) { ContinuousClock.now > stop }
                #expect(receiver.received.value.isEmpty)
                let status = try #require(try await hooks.webhook(id: webhook.id)).status
                #expect(status.attempts >= 1)
                #expect(status.lastError?.contains("https://") == true, "\(String(describing: status.lastError))")
            }
        }
    }

    @Test(
        "https:// and http:// URLs are taken (http when allowed), categories stay within the key's, and each integrator sees and deletes its own"
    )
    func registration() async throws {
        try await ServerFixture.with(configuration: WebhookDeliveryTests.loopbackServer) { fixture in
            let limited = try await fixture.app.keys.create(name: "crm", role: .integrator, categories: ["client"])
                .secret
            let other = try #require(fixture.keys[.integrator])
            let admin = try #require(fixture.keys[.admin])
            try await fixture.test { client in
                for url in ["ftp://example.com/", "example.com/hook", "http://", "http://user:pw@host/", ""] {
                    let response = try await post(client, limited, ["url": url])
                    #expect(response.status == .badRequest, "\(url)")
                    #expect(response.json["field"] as? String == "url")
                }
                #expect(try await post(client, limited, [:]).status == .badRequest)
                #expect(try await post(client, limited, ["url": 7]).status == .badRequest)
                #expect(try await post(client, limited, ["url": "http://a/", "after": "x"]).status == .badRequest)
                #expect(
                    try await post(client, limited, ["url": "http://a/", "categories": ["technician"]]).status
                        == .forbidden)
                #expect(
                    try await post(client, limited, ["url": "http://a/", "categories": ["Bad Category"]]).status
                        == .badRequest)
                let mine = try await post(client, limited, ["url": "http://127.0.0.1:9000/stipple"])
                #expect(mine.status == .created)
                #expect((mine.json["secret"] as? String)?.hasPrefix("whsec_") == true)
                #expect(mine.json["categories"] as? [String] == ["client"])
                let theirs = try await post(client, other, ["url": "http://127.0.0.1:9/"])
                #expect(theirs.status == .created)
                #expect(theirs.json["categories"] is NSNull)
                let mineID = try #require(mine.json["id"] as? String)
                let theirID = try #require(theirs.json["id"] as? String)

                func list(_ key: String) async throws -> [String] {
                    var headers = HTTPFields()
                    headers[.authorization] = "Bearer \(key)"
                    let response = try await client.execute(uri: "/v1/webhooks", method: .get, headers: headers)
                    #expect(!response.text.contains("whsec_"))
                    return (response.json["webhooks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                }
                #expect(try await list(limited) == [mineID])
                #expect(try await list(other) == [theirID])
                #expect(Set(try await list(admin)) == [mineID, theirID])

                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(limited)"
                let foreign = try await client.execute(
                    uri: "/v1/webhooks/\(theirID)", method: .delete, headers: headers)
                #expect(foreign.status == .notFound)
                let own = try await client.execute(uri: "/v1/webhooks/\(mineID)", method: .delete, headers: headers)
                #expect(own.status == .noContent)
                headers[.authorization] = "Bearer \(admin)"
                let byAdmin = try await client.execute(
                    uri: "/v1/webhooks/\(theirID)", method: .delete, headers: headers)
                #expect(byAdmin.status == .noContent)
                #expect(try await list(admin).isEmpty)
                // An https:// URL is stored too (the table's check took http:// only before migration 0017).
                let secure = try await post(client, admin, ["url": "https://127.0.0.1:9443/stipple"])
                #expect(secure.status == .created, "\(secure.text)")
                #expect(secure.json["url"] as? String == "https://127.0.0.1:9443/stipple")
            }
        }
    }

    @Test("the backoff doubles from the initial wait, is capped, and is jittered into [half, whole]")
    func backoff() {
        let configuration = WebhookService.Configuration(initialBackoff: .seconds(1), maximumBackoff: .seconds(60))
        #expect(configuration.backoff(attempt: 1, jitter: 1) == .seconds(1))
        #expect(configuration.backoff(attempt: 4, jitter: 1) == .seconds(8))
        #expect(configuration.backoff(attempt: 30, jitter: 1) == .seconds(60))
        #expect(configuration.backoff(attempt: 1000, jitter: 1) == .seconds(60))
        #expect(configuration.backoff(attempt: 4, jitter: 0.5) == .seconds(4))
        for _ in 0..<50 {
            let wait = configuration.backoff(attempt: 3)
            #expect(wait >= .seconds(2) && wait <= .seconds(4))
        }
    }

    @Test(
        "signatures are t=…,v1=HMAC-SHA256 of the time and the exact body; they verify only with the same secret, body and a recent time"
    )
    func signature() {
        let body = Data("{\"events\":[]}".utf8)
        let secret = "whsec_" + String(repeating: "ab", count: 32)
        let at = Date(timeIntervalSince1970: 1_767_225_600)
        let header = WebhookSignature.header(body: body, secret: secret, time: at)
        #expect(header.hasPrefix("t=1767225600,v1=") && header.count == "t=1767225600,v1=".count + 64)
        #expect(header.hasSuffix(WebhookSignature.hex(body: Data("1767225600.".utf8) + body, secret: secret)))
        #expect(WebhookSignature.verify(header: header, body: body, secret: secret, now: at.addingTimeInterval(60)))
        #expect(
            !WebhookSignature.verify(
                header: header, body: body, secret: "whsec_" + String(repeating: "ac", count: 32), now: at))
        #expect(!WebhookSignature.verify(header: header, body: body + Data(" ".utf8), secret: secret, now: at))
        // A replay ten minutes later is refused; so is a changed timestamp.
        #expect(!WebhookSignature.verify(header: header, body: body, secret: secret, now: at.addingTimeInterval(600)))
        let moved = header.replacingOccurrences(of: "t=1767225600", with: "t=1767225660")
        #expect(!WebhookSignature.verify(header: moved, body: body, secret: secret, now: at))
        // During a secret rotation the header carries one v1 per valid secret; either verifies.
        let other = "whsec_" + String(repeating: "cd", count: 32)
        let both = header + ",v1=" + WebhookSignature.hex(body: Data("1767225600.".utf8) + body, secret: other)
        #expect(WebhookSignature.verify(header: both, body: body, secret: other, now: at))
        #expect(!WebhookSignature.verify(header: "sha256=zz", body: body, secret: "x"))
        // RFC 4231 test case 2.
        #expect(
            WebhookSignature.hex(body: Data("what do ya want for nothing?".utf8), secret: "Jefe")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
