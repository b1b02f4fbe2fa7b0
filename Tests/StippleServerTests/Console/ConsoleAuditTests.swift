import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import StippleServer

@Suite("The Audit page: the last verification of the chain, recorded with when and by whom")
struct ConsoleAuditTests {
    @Test("an auditor's verify button records the result (who, when, through the console) and the page shows it")
    func verifyButton() async throws {
        try await ServerFixture.with { fixture in
            _ = try await ConsoleTests.seedClient(fixture)
            let verifications = ChainVerifications(pool: fixture.database.pool)
            try await fixture.test { client in
                var auditor = ConsoleBrowser(client: client)
                _ = try await auditor.signIn(try #require(fixture.keys[.auditor]))
                let before = try await auditor.get("/console/audit")
                #expect(before.text.contains("The chain has not been verified yet"))
                let csrf = try #require(ConsoleBrowser.csrf(before.text))

                #expect(try await auditor.post("/console/audit/verify", [:]).status == .forbidden, "no CSRF token")
                #expect(try await verifications.latest() == nil)

                let pressed = try await auditor.post("/console/audit/verify", ["csrf": csrf])
                #expect(pressed.status == .seeOther)
                #expect(pressed.headers[.location] == "/console/audit#verification")
                let head = try await fixture.database.store.headPosition()
                let recorded = try #require(try await verifications.latest())
                #expect(recorded.actor == "test-auditor" && recorded.channel == .console && recorded.isIntact)
                #expect(recorded.head?.position == head)

                let page = try await auditor.get("/console/audit")
                #expect(page.text.contains("<strong>intact</strong>: \(recorded.summary)</p>"), "no seal was asked for")
                #expect(page.text.contains("by <span id=\"verify-actor\">test-auditor</span> through the console"))

                // A later CLI run is the latest one shown.
                try await verifications.record(
                    try await ChainVerifier(pool: fixture.database.pool).verify(), actor: "night-job", channel: .cli)
                #expect(try await auditor.get("/console/audit").text.contains("night-job</span> through the cli"))

                var desk = ConsoleBrowser(client: client)
                _ = try await desk.signIn(try #require(fixture.keys[.operator]))
                let deskCSRF = try #require(ConsoleBrowser.csrf(try await desk.get("/console/today").text))
                let refused = try await desk.post("/console/audit/verify", ["csrf": deskCSRF])
                #expect(refused.status == .forbidden, "operators do not verify from the console")
                #expect(try await verifications.latest()?.actor == "night-job")
            }
        }
    }
}
