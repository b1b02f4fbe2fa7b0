import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import StippleServer

@Suite("Reads of personal data through the API are in the access log")
struct AccessLogTests {
    @Test(
        "timeline, stream, feed and query reads record who (the key's name), what, when and why; other reads record nothing"
    )
    func recorded() async throws {
        try await ServerFixture.with { fixture in
            let clientID = UUID()
            let subject = "client-\(clientID.uuidString.lowercased())"
            let log = AccessLog(pool: fixture.database.pool)
            try await fixture.test { client in
                let registered = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: fixture.headers(.operator),
                    body: Payloads.client(clientID))
                #expect(registered.status == .created, "\(registered.text)")
                try await fixture.catchUpProjections()
                #expect(try await log.entries(subject: subject).isEmpty)

                let before = Date().addingTimeInterval(-5)
                var headers = fixture.headers(.operator)
                headers[APIAccessLog.reasonHeader] = "  booking call, ticket #4411 "
                let timeline = try await client.execute(
                    uri: "/v1/clients/\(clientID.uuidString)/timeline", method: .get, headers: headers)
                #expect(timeline.status == .ok)
                var entries = try await log.entries(subject: subject)
                #expect(entries.count == 1)
                let entry = try #require(entries.first)
                #expect(entry.actor == "test-operator")
                #expect(entry.action == "timeline.read")
                #expect(entry.reason == "booking call, ticket #4411")
                #expect(entry.channel == .api)
                #expect(entry.at > before && entry.at < Date().addingTimeInterval(5))

                // The raw stream and the feed, by an auditor, without a reason.
                let stream = try await client.execute(
                    uri: "/v1/streams/\(subject)", method: .get, headers: fixture.headers(.auditor))
                #expect(stream.status == .ok)
                let feed = try await client.execute(
                    uri: "/v1/events?category=client", method: .get, headers: fixture.headers(.auditor))
                #expect(feed.status == .ok)
                entries = try await log.entries(subject: subject)
                #expect(entries.map(\.action) == ["events.read", "stream.read", "timeline.read"])
                #expect(entries.prefix(2).allSatisfy { $0.actor == "test-auditor" && $0.reason == nil })

                // Reads that return no client's details leave no entry.
                _ = try await client.execute(
                    uri: "/v1/revenue?from=2026-01-01&to=2026-12-31", method: .get, headers: fixture.headers(.operator))
                _ = try await client.execute(
                    uri: "/v1/events?category=technician", method: .get, headers: fixture.headers(.auditor))
                #expect(try await log.entries().count == 3)

                // A reason that is too long is refused, and nothing is read or recorded.
                var long = fixture.headers(.operator)
                long[APIAccessLog.reasonHeader] = String(repeating: "x", count: 1001)
                let refused = try await client.execute(
                    uri: "/v1/clients/\(clientID.uuidString)/timeline", method: .get, headers: long)
                #expect(refused.status == .badRequest)
                #expect(refused.json["field"] as? String == "Stipple-Access-Reason")
                #expect(try await log.entries().count == 3)
            }
        }
    }

    @Test("clientID values anywhere in a query's answer are the clients it read")
    func clientIDsInAnswers() {
        let answer: [Any] = [
            ["clientID": "A", "name": "x"], ["appointment": ["clientID": "B"]], ["other": 1], ["clientId": "C"],
        ]
        #expect(APIAccessLog.clientIDs(in: answer).sorted() == ["A", "B", "C"])
        #expect(APIAccessLog.clientIDs(in: ["clients": [] as [Any]]).isEmpty)
    }
}
