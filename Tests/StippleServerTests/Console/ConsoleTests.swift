import Clinic
import ClinicService
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Projections
import Testing

@testable import StippleServer

/// Drives the console like a browser: cookies carried by hand, forms sent url-encoded.
struct ConsoleBrowser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    static func cookiePairs(_ response: TestResponse) -> [(String, String, String)] {
        response.headers[values: .setCookie].compactMap { line in
            let first = line.split(separator: ";").first ?? ""
            let parts = first.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            return (String(parts[0]), String(parts[1]), line)
        }
    }

    mutating func absorb(_ response: TestResponse) {
        for (name, value, _) in Self.cookiePairs(response) {
            cookies[name] = value.isEmpty ? nil : value
        }
    }

    var headers: HTTPFields {
        var headers = HTTPFields()
        if !cookies.isEmpty {
            headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        return headers
    }

    mutating func get(_ uri: String) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: headers)
        absorb(response)
        return response
    }

    mutating func post(_ uri: String, _ fields: [String: String]) async throws -> TestResponse {
        try await post(
            uri, body: fields.map { key, value in "\(Self.encode(key))=\(Self.encode(value))" }.joined(separator: "&"))
    }

    /// Posts `body` as it is, as a url-encoded form.
    mutating func post(_ uri: String, body: String) async throws -> TestResponse {
        var headers = self.headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await client.execute(
            uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        absorb(response)
        return response
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The value of the hidden `csrf` field on a page.
    static func csrf(_ page: String) -> String? {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in with `key`; returns the sign-in answer.
    mutating func signIn(_ key: String) async throws -> TestResponse {
        let form = try await get("/console/sign-in")
        return try await post("/console/sign-in", ["csrf": Self.csrf(form.text) ?? "", "key": key])
    }
}

@Suite("The operator console: sessions, CSRF, roles and pages")
struct ConsoleTests {
    static let pages = [
        "/console/today", "/console/clients", "/console/clients?q=sam", "/console/revenue", "/console/touch-ups",
        "/console/aftercare",
        "/console/recall", "/console/recall?batch=NOPE-1", "/console/portfolio", "/console/audit",
    ]

    @Test("no page, form or live feed works without a session: pages redirect to the sign-in form")
    func noPageWithoutSession() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                var browser = ConsoleBrowser(client: client)
                for path in Self.pages + ["/console/clients/\(UUID().uuidString)"] {
                    let response = try await browser.get(path)
                    #expect(response.status == .seeOther, "\(path)")
                    #expect(response.headers[.location] == "/console/sign-in", "\(path)")
                }
                let live = try await browser.get("/console/live")
                #expect(live.status == .unauthorized)
                let form = try await browser.post("/console/clients", ["csrf": "x", "personal.fullName": "A"])
                #expect(form.status == .seeOther)
                // A made-up session cookie is no session.
                browser.cookies["stipple_console"] = String(repeating: "a", count: 64)
                #expect(try await browser.get("/console/today").status == .seeOther)
            }
        }
    }

    @Test(
        "operator and auditor keys sign in to a server-side session (HttpOnly, SameSite=Strict cookie); integrator and admin keys cannot"
    )
    func signInByRole() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                for role in [Role.operator, .auditor] {
                    var browser = ConsoleBrowser(client: client)
                    let answer = try await browser.signIn(try #require(fixture.keys[role]))
                    #expect(answer.status == .seeOther)
                    #expect(answer.headers[.location] == "/console/today")
                    let cookie = try #require(ConsoleBrowser.cookiePairs(answer).first { $0.0 == "stipple_console" })
                    #expect(cookie.2.contains("HttpOnly") && cookie.2.contains("SameSite=Strict"))
                    #expect(!cookie.2.contains("Secure"), "plain HTTP on loopback: not Secure")
                    // The key itself is nowhere in the browser.
                    #expect(!browser.cookies.values.contains(try #require(fixture.keys[role])))
                    let today = try await browser.get("/console/today")
                    #expect(today.status == .ok)
                    #expect(today.text.contains("test-\(role.rawValue) · \(role.rawValue)"))
                }
                for role in [Role.integrator, .admin] {
                    var browser = ConsoleBrowser(client: client)
                    let answer = try await browser.signIn(try #require(fixture.keys[role]))
                    #expect(answer.status == .forbidden)
                    #expect(answer.text.contains("role cannot sign in to the console"))
                    #expect(browser.cookies["stipple_console"] == nil)
                    #expect(try await browser.get("/console/today").status == .seeOther)
                }
                var stranger = ConsoleBrowser(client: client)
                let wrong = try await stranger.signIn("stp_" + String(repeating: "0", count: 64))
                #expect(wrong.status == .unauthorized)
                #expect(stranger.cookies["stipple_console"] == nil)
            }
        }
    }

    @Test("behind a TLS proxy the session cookie is Secure")
    func secureBehindTLS() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let form = try await client.execute(uri: "/console/sign-in", method: .get)
                let pre = try #require(ConsoleBrowser.cookiePairs(form).first)
                var headers = HTTPFields()
                headers[.cookie] = "\(pre.0)=\(pre.1)"
                headers[.contentType] = "application/x-www-form-urlencoded"
                headers[ConsoleRoutes.forwardedProto] = "https"
                let key = try #require(fixture.keys[.operator])
                let answer = try await client.execute(
                    uri: "/console/sign-in", method: .post, headers: headers,
                    body: ByteBuffer(string: "csrf=\(pre.1)&key=\(key)"))
                #expect(answer.status == .seeOther)
                let cookie = try #require(ConsoleBrowser.cookiePairs(answer).first { $0.0 == "stipple_console" })
                #expect(cookie.2.contains("Secure"))
            }
        }
    }

    @Test("the sign-in form and every signed-in form need their CSRF token (403 without, nothing written)")
    func csrf() async throws {
        try await ServerFixture.with { fixture in
            let clientID = try await Self.seedClient(fixture)
            try await fixture.test { client in
                var browser = ConsoleBrowser(client: client)
                // Sign-in without the form's token.
                let bare = try await browser.post(
                    "/console/sign-in", ["key": try #require(fixture.keys[.operator])])
                #expect(bare.status == .forbidden)
                #expect(browser.cookies["stipple_console"] == nil)
                #expect(try await browser.signIn(try #require(fixture.keys[.operator])).status == .seeOther)
                let head = try await fixture.database.store.headPosition()
                let path = "/console/clients/\(clientID.uuidString.lowercased())/payments"
                let fields = ["amount": "10", "currency": "USD", "method": "card", "purpose": "session"]
                #expect(try await browser.post(path, fields).status == .forbidden)
                var wrong = fields
                wrong["csrf"] = String(repeating: "b", count: 64)
                let refused = try await browser.post(path, wrong)
                #expect(refused.status == .forbidden)
                #expect(refused.text.contains("security token"))
                #expect(try await browser.post("/console/sign-out", [:]).status == .forbidden)
                #expect(try await fixture.database.store.headPosition() == head)
            }
        }
    }

    @Test(
        "the Aftercare page lists what GET /v1/aftercare-follow-ups lists: each treatment without aftercare within a day, missing or late, in its location's zone"
    )
    func aftercareFollowUps() async throws {
        try await ServerFixture.with { fixture in
            // A generated clinic forgets aftercare after a few treatments (ClinicHistoryTests measures the rate).
            _ = try await HistoryWriter(store: fixture.database.store).write(
                ClinicHistory(HistoryConfiguration(seed: 11, clientCount: 60)))
            try await fixture.catchUpProjections()
            let expected = try await AftercareQueries(pool: fixture.database.pool).followUps(asOf: Date())
            try #require(!expected.isEmpty, "the generated clinic should have forgotten some aftercare")
            try await fixture.test { client in
                var browser = ConsoleBrowser(client: client)
                _ = try await browser.signIn(try #require(fixture.keys[.operator]))
                let page = try await browser.get("/console/aftercare")
                #expect(page.status == .ok)
                let rows = page.text.components(separatedBy: "<tr><td><a href=\"/console/clients/").count - 1
                #expect(rows == expected.count)
                #expect(
                    page.text.components(separatedBy: "<strong>missing</strong>").count - 1
                        == expected.filter { $0.givenAt == nil }.count)
                for followUp in expected.prefix(5) {
                    #expect(page.text.contains("/console/clients/\(followUp.clientID)"))
                }
                #expect(!page.text.contains(" UTC<"), "times are read in their locations' zones")
                // Filtered by a location that has none: the empty list says so.
                let none = try await browser.get("/console/aftercare?location=nowhere")
                #expect(none.text.contains("Every treatment had its aftercare within a day."))
            }
        }
    }

    @Test(
        "a form body over the limit is a 413 (the sign-in form's 16 KiB, a signed-in form's body limit), a name sent twice a 400; nothing written"
    )
    func oversizedForms() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                var browser = ConsoleBrowser(client: client)
                let token = try #require(ConsoleBrowser.csrf(try await browser.get("/console/sign-in").text))
                let huge = try await browser.post(
                    "/console/sign-in", ["csrf": token, "key": String(repeating: "k", count: 17 * 1024)])
                #expect(huge.status == .contentTooLarge)
                #expect(browser.cookies["stipple_console"] == nil)

                #expect(try await browser.signIn(try #require(fixture.keys[.operator])).status == .seeOther)
                let csrf = try #require(ConsoleBrowser.csrf(try await browser.get("/console/clients").text))
                let head = try await fixture.database.store.headPosition()
                let registration = try await browser.post(
                    "/console/clients",
                    [
                        "csrf": csrf,
                        "personal.fullName": String(repeating: "n", count: fixture.app.configuration.bodyLimit),
                    ])
                #expect(registration.status == .contentTooLarge)
                #expect(try await fixture.database.store.headPosition() == head)
                // The session survives: the next page still opens.
                #expect(try await browser.get("/console/today").status == .ok)

                // A name sent twice is not a form of plain fields: 400, nothing written; spaces as '+' and
                // percent-escapes still decode.
                let twice = try await browser.post(
                    "/console/clients", body: "csrf=\(csrf)&personal.fullName=Ann&personal.fullName=Bob")
                #expect(twice.status == .badRequest)
                #expect(twice.text.contains("duplicate"), "\(twice.text)")
                #expect(try await fixture.database.store.headPosition() == head)
                let plain = try await browser.post(
                    "/console/clients",
                    body: "csrf=\(csrf)&personal.fullName=Ann+O%E2%80%99Hara&personal.contact.email=ann%40example.org"
                        + "&personal.dateOfBirth=1980-01-02")
                #expect(plain.status == .seeOther, "\(plain.text)")
                try await fixture.catchUpProjections()
                let registered = try await browser.get(try #require(plain.headers[.location]))
                #expect(registered.text.contains("Ann O’Hara"), "\(registered.text.prefix(400))")
            }
        }
    }

    @Test(
        "every page renders for operators and auditors; the audit page is the auditor's; auditors see no forms and cannot post one"
    )
    func pagesByRole() async throws {
        try await ServerFixture.with { fixture in
            let clientID = try await Self.seedClient(fixture)
            let clientPage = "/console/clients/\(clientID.uuidString.lowercased())"
            try await fixture.test { client in
                for role in [Role.operator, .auditor] {
                    var browser = ConsoleBrowser(client: client)
                    _ = try await browser.signIn(try #require(fixture.keys[role]))
                    for path in Self.pages + [clientPage, "/console/today?fragment=1"] {
                        let response = try await browser.get(path)
                        let expected: HTTPResponse.Status =
                            path == "/console/audit" && role == .operator
                            ? .forbidden : path.contains("NOPE") ? .notFound : .ok
                        #expect(response.status == expected, "\(role) \(path): \(response.status)")
                        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                        #expect(response.headers[.cacheControl] == "no-store")
                        let posts = response.text.components(separatedBy: "method=\"post\"").count - 1
                        let verify = response.text.contains("action=\"/console/audit/verify\"") ? 1 : 0
                        if role == .auditor {
                            // Only the sign-out form (the fragment has no layout at all), and on the audit page
                            // the auditor's own verify button.
                            #expect(posts - verify <= 1, "\(path) shows a form to an auditor")
                        }
                    }
                    let page = try await browser.get(clientPage)
                    #expect(page.text.contains("Sam Client"))
                    #expect(page.text.contains("Record payment") == (role == .operator))
                    #expect(page.text.contains("Book a consultation") == (role == .operator))
                    let clients = try await browser.get("/console/clients")
                    #expect(clients.text.contains("Register a client") == (role == .operator))
                    if role == .auditor {
                        let csrf = try #require(ConsoleBrowser.csrf(page.text))
                        let head = try await fixture.database.store.headPosition()
                        let refused = try await browser.post(
                            clientPage + "/payments",
                            ["csrf": csrf, "amount": "10", "currency": "USD", "method": "card", "purpose": "session"])
                        #expect(refused.status == .forbidden)
                        #expect(try await fixture.database.store.headPosition() == head)
                        let audit = try await browser.get("/console/audit?client=\(clientID.uuidString)")
                        #expect(audit.text.contains("timeline.read"))
                        #expect(audit.text.contains("console"))
                    }
                }
            }
        }
    }

    @Test("a client page writes the access log like the API, through the console door")
    func accessLog() async throws {
        try await ServerFixture.with { fixture in
            let clientID = try await Self.seedClient(fixture)
            let subject = "client-\(clientID.uuidString.lowercased())"
            try await fixture.test { client in
                var browser = ConsoleBrowser(client: client)
                _ = try await browser.signIn(try #require(fixture.keys[.operator]))
                let log = AccessLog(pool: fixture.database.pool)
                #expect(try await log.entries(subject: subject).isEmpty)
                _ = try await browser.get("/console/clients/\(clientID.uuidString.lowercased())")
                let entries = try await log.entries(subject: subject)
                #expect(entries.map(\.action) == ["timeline.read"])
                #expect(entries.first?.channel == .console)
                #expect(entries.first?.actor == "test-operator")
                _ = try await browser.get("/console/today?day=2026-01-02")
                _ = try await browser.get("/console/clients?q=sam")
                #expect(try await log.entries(subject: subject).map(\.action).contains("client.search"))
            }
        }
    }

    @Test("revoking the key ends its sessions; signing out ends the session; an idle session times out")
    func sessionsEnd() async throws {
        try await ServerFixture.with(configuration: .init(runProjections: false, consoleIdleTimeout: .seconds(2))) {
            fixture in
            try await fixture.test { client in
                let (key, secret) = try await fixture.app.keys.create(name: "front-desk", role: .operator)
                var browser = ConsoleBrowser(client: client)
                #expect(try await browser.signIn(secret).status == .seeOther)
                #expect(try await browser.get("/console/today").status == .ok)
                #expect(try await fixture.app.keys.revoke(id: key.id))
                #expect(try await browser.get("/console/today").status == .seeOther)

                var other = ConsoleBrowser(client: client)
                _ = try await other.signIn(try #require(fixture.keys[.operator]))
                let page = try await other.get("/console/today")
                let kept = other
                _ = try await other.post("/console/sign-out", ["csrf": ConsoleBrowser.csrf(page.text) ?? ""])
                var replay = kept
                #expect(try await replay.get("/console/today").status == .seeOther, "the old cookie no longer works")

                var idle = ConsoleBrowser(client: client)
                _ = try await idle.signIn(try #require(fixture.keys[.auditor]))
                #expect(try await idle.get("/console/today").status == .ok)
                try await Task.sleep(for: .milliseconds(2500))
                #expect(try await idle.get("/console/today").status == .seeOther)
            }
        }
    }

    @Test(
        "front-desk forms go through the command handler: errors land next to their field, successes show on the page")
    func forms() async throws {
        try await ServerFixture.with { fixture in
            let clientID = try await Self.seedClient(fixture)
            let clientPage = "/console/clients/\(clientID.uuidString.lowercased())"
            try await fixture.test { client in
                var browser = ConsoleBrowser(client: client)
                _ = try await browser.signIn(try #require(fixture.keys[.operator]))
                let page = try await browser.get(clientPage)
                let csrf = try #require(ConsoleBrowser.csrf(page.text))
                let head = try await fixture.database.store.headPosition()

                let bad = try await browser.post(
                    clientPage + "/payments",
                    ["csrf": csrf, "amount": "lots", "currency": "USD", "method": "card", "purpose": "session"])
                #expect(bad.status == .unprocessableContent)
                #expect(bad.text.contains("id=\"f-amount-error\""))
                #expect(bad.text.contains("amount must be a positive amount"))
                let badMethod = try await browser.post(
                    clientPage + "/payments",
                    ["csrf": csrf, "amount": "10", "currency": "USD", "method": "barter", "purpose": "session"])
                #expect(badMethod.status == .unprocessableContent)
                #expect(badMethod.text.contains("id=\"f-method-error\""), "the handler's field error is on the method")
                #expect(try await fixture.database.store.headPosition() == head)

                let paid = try await browser.post(
                    clientPage + "/payments",
                    ["csrf": csrf, "amount": "120.50", "currency": "USD", "method": "cash", "purpose": "session"])
                #expect(paid.status == .seeOther)
                #expect(paid.headers[.location] == clientPage)
                try await fixture.catchUpProjections()
                let after = try await browser.get(clientPage)
                #expect(after.text.contains("Payment of USD 120.50 by cash"))
                #expect(after.text.contains("<dt>Paid</dt><dd>USD 120.50</dd>"))

                let missing = try await browser.post(
                    "/console/clients", ["csrf": csrf, "personal.contact.email": "x@example.com"])
                #expect(missing.status == .unprocessableContent)
                #expect(missing.text.contains("id=\"f-personal-fullName-error\""))
                #expect(missing.text.contains("value=\"x@example.com\""), "what was typed stays in the form")

                let registered = try await browser.post(
                    "/console/clients",
                    [
                        "csrf": csrf, "personal.fullName": "Nora Front", "personal.contact.phone": "+44 7700 900123",
                        "personal.dateOfBirth": "1985-03-04",
                    ])
                #expect(registered.status == .seeOther)
                let location = try #require(registered.headers[.location])
                try await fixture.catchUpProjections()
                #expect(try await browser.get(location).text.contains("Nora Front"))

                let day = CalendarDay(Date().addingTimeInterval(3 * 86_400))
                let booked = try await browser.post(
                    clientPage + "/consultations",
                    [
                        "csrf": csrf, "start": "\(day)T10:00", "minutes": "60", "locationID": "LDN",
                        "technicianID": "tech-a",
                    ])
                #expect(booked.status == .seeOther, "\(booked.text)")
                try await fixture.catchUpProjections()
                let today = try await browser.get("/console/today?day=\(day)")
                #expect(today.text.contains("Sam Client"))
                #expect(today.text.contains("10:00–11:00"), "in the location's time zone")
                let past = try await browser.post(
                    clientPage + "/consultations",
                    [
                        "csrf": csrf, "start": "2020-01-05T10:00", "minutes": "60", "locationID": "LDN",
                        "technicianID": "tech-a",
                    ])
                #expect(past.status == .unprocessableContent)
                #expect(past.text.contains("class=\"field-error\""), "the domain's refusal is shown on the form")
            }
        }
    }

    @Test(
        "search finds clients by parts of name, e-mail and phone through the blind index; a forgotten client shows (erased) and drops out"
    )
    func searchAndForget() async throws {
        try await ServerFixture.with { fixture in
            let clientID = try await Self.seedClient(
                fixture, name: "Aurélie Quist-Brown", email: "aq.brown@example.org", phone: "+44 20 7946 0958")
            _ = try await Self.seedClient(fixture, name: "Sam Other", email: "sam@example.net", phone: nil)
            let stored = try await fixture.database.pool.withConnection { connection in
                try await connection.query("SELECT terms FROM search.search_clients").map {
                    try $0.decode(String.self, at: 0)
                }.joined(separator: " ")
            }
            #expect(!stored.lowercased().contains("quist") && !stored.contains("7946"), "only hashes are stored")
            try await fixture.test { client in
                var browser = ConsoleBrowser(client: client)
                _ = try await browser.signIn(try #require(fixture.keys[.operator]))
                let id = clientID.uuidString.lowercased()
                for query in ["aur", "AURELIE", "quist", "brown aur", "aq.brown", "example.org", "0958", "7946 0958"] {
                    let page = try await browser.get("/console/clients?q=\(ConsoleBrowser.encode(query))")
                    #expect(page.text.contains("/console/clients/\(id)"), "\(query)")
                    #expect(!page.text.contains("Sam Other"), "\(query)")
                }
                let none = try await browser.get("/console/clients?q=zzz")
                #expect(none.text.contains("No client matches"))

                let forget = try await client.execute(
                    uri: "/v1/clients/\(id)/erasures", method: .post, headers: fixture.headers(.operator),
                    body: jsonBody(["reason": "asked to be forgotten"]))
                #expect(forget.status == .created, "\(forget.text)")
                try await fixture.catchUpProjections()
                let gone = try await browser.get("/console/clients?q=quist")
                #expect(!gone.text.contains(id))
                let page = try await browser.get("/console/clients/\(id)")
                #expect(page.text.contains("(erased)"))
                #expect(!page.text.contains("Quist"))
                #expect(!page.text.contains("Record payment"), "no forms for an erased client")
            }
        }
    }

    @Test(
        "the live feed sends a change event (resume token and type, no data) per appended event, once the schedule projection has applied it, and resumes after Last-Event-ID"
    )
    func liveFeed() async throws {
        try await ServerFixture.with(configuration: .init(port: 0, runProjections: false, runWebhooks: false)) {
            fixture in
            let secret = try #require(fixture.keys[.operator])
            let key = try #require(try await fixture.app.keys.authenticate(secret: secret))
            let token = try #require(try await fixture.app.sessions.open(for: key)).token
            try await LiveServerTests.withServer(fixture) { port in
                @Sendable func register() async throws {
                    let body = Payloads.client(UUID())
                    let reply = try await RawHTTPClient.send(
                        port: port, "POST", "/v1/clients",
                        headers: ["Authorization": "Bearer \(secret)", "Content-Type": "application/json"],
                        body: Data(body.readableBytesView))
                    #expect(reply.status == 201)
                }
                @Sendable func firstChange(after: String) async throws -> RawHTTPClient.SSEFrame? {
                    let found = Locked<RawHTTPClient.SSEFrame?>(nil)
                    _ = try await RawHTTPClient.stream(
                        port: port, path: "/console/live",
                        headers: ["Cookie": "stipple_console=\(token)", "Last-Event-ID": after], timeout: .seconds(20)
                    ) { frame in
                        guard frame.event == "change" else { return true }
                        found.withLock { $0 = frame }
                        return false
                    }
                    return found.withLock { $0 }
                }
                let head = String(try await fixture.database.store.headPosition())
                try await register()
                // This server runs no projections: they catch up a moment after the feed opens, and the change
                // is announced only then (a page that fetches the schedule on it must find the event there).
                async let caughtUp: Void = {
                    try await Task.sleep(for: .milliseconds(700))
                    try await fixture.catchUpProjections()
                }()
                let first = try #require(try await firstChange(after: head))
                #expect(first.data == #"{"type":"client.registered"}"#)
                let id = try #require(first.id.flatMap { Int64($0) })
                #expect(id > Int64(head) ?? 0)
                let runner = ProjectionRunner(
                    store: fixture.database.store, projections: ClinicProjections.all(for: fixture.database.store))
                let schedule = try await runner.position(of: "schedule")
                #expect(
                    schedule ?? 0 >= id, "announced at \(id) while the schedule projection stood at \(schedule ?? 0)")
                try await caughtUp
                try await register()
                try await fixture.catchUpProjections()
                let second = try #require(try await firstChange(after: String(id)))
                #expect(second.id.flatMap { Int64($0) } ?? 0 > id, "resumed after the last seen event, not replayed")
                let anonymous = try await RawHTTPClient.send(port: port, "GET", "/console/live")
                #expect(anonymous.status == 401)
            }
        }
    }

    /// A location, a technician and a registered client (projections caught up); returns the client.
    static func seedClient(
        _ fixture: ServerFixture, name: String = "Sam Client", email: String? = "sam@example.com",
        phone: String? = nil
    ) async throws -> UUID {
        let id = UUID()
        try await fixture.test { client in
            _ = try await client.execute(
                uri: "/v1/locations", method: .post, headers: fixture.headers(.operator), body: Payloads.location())
            _ = try await client.execute(
                uri: "/v1/technicians", method: .post, headers: fixture.headers(.operator),
                body: Payloads.technician("tech-a"))
            let body = Payloads.body(
                ClientRegistered(
                    at: Payloads.past,
                    personal: PersonalDetails(
                        fullName: name, contact: ContactDetails(email: email, phone: phone),
                        dateOfBirth: CalendarDay(year: 1990, month: 5, day: 1) ?? CalendarDay(daysSinceEpoch: 7000))),
                extra: ["clientID": id.uuidString.lowercased()], dropAt: true)
            let registered = try await client.execute(
                uri: "/v1/clients", method: .post, headers: fixture.headers(.operator), body: body)
            #expect(registered.status == .created, "\(registered.text)")
        }
        try await fixture.catchUpProjections()
        return id
    }
}
