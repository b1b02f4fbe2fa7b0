import Clinic
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import StippleServer

/// Drives a generated clinic history through the API, command by command.
@Suite("Commands through the API")
struct CommandReplayTests {
    /// The route for a generated event, and the extra body fields it needs; nil for events
    /// that are consequences of another command (slot reservations and releases).
    static func route(for pending: PendingEvent) -> (path: String, extra: [String: String])? {
        let id = pending.stream.id
        switch pending.event {
        case .client(let event):
            if case .registered = event { return ("/v1/clients", ["clientID": id]) }
            let resource: String? =
                switch event {
                case .registered: nil
                case .medicalScreeningRecorded: "screenings"
                case .consentSigned: "consents"
                case .consentWithdrawn: "consent-withdrawals"
                case .consultationBooked: "consultations"
                case .consultationRescheduled: "consultation-reschedules"
                case .consultationCancelled: "consultation-cancellations"
                case .consultationNoShow: "consultation-no-shows"
                case .consultationHeld: "consultations-held"
                case .instructionsGiven: "instructions"
                case .instructionsAcknowledged: "instruction-acknowledgements"
                case .treatmentPlanAgreed: "treatment-plans"
                case .depositTaken: "deposits"
                case .depositApplied: "deposit-applications"
                // A forfeit or refund the deposit policy made is written with the no-show or cancellation.
                case .depositForfeited(let e): e.policy == nil ? "deposit-forfeits" : nil
                case .depositForfeitReversed: "deposit-forfeit-reversals"
                case .sessionBooked: "sessions"
                case .sessionCancelled: "session-cancellations"
                case .sessionNoShow: "session-no-shows"
                case .sessionPerformed: "sessions-performed"
                case .healingCheckRecorded: "healing-checks"
                case .photoLogged: "photo-records"
                case .photoApprovedForMarketing: "marketing-approvals"
                case .marketingApprovalRevoked: nil  // written with the consent withdrawal
                case .fadeObserved: "fade-observations"
                case .touchUpRecommended: "touch-up-recommendations"
                case .touchUpBooked: "touch-ups"
                case .touchUpPerformed: "touch-ups-performed"
                case .adverseReactionReported: "adverse-reactions"
                case .complaintRecorded: "complaints"
                case .correctionBooked: "correction-bookings"
                case .correctionPerformed: "corrections"
                case .testimonialRecorded: "testimonials"
                case .paymentReceived: "payments"
                case .refundIssued(let e): e.policy == nil ? "refunds" : nil
                case .forgotten: "erasures"
                }
            return resource.map { ("/v1/clients/\(id)/\($0)", [:]) }
        case .technician(let event):
            switch event {
            case .registered: return ("/v1/technicians", ["technicianID": id])
            case .certificationRecorded: return ("/v1/technicians/\(id)/certifications", [:])
            case .deactivated: return ("/v1/technicians/\(id)/deactivations", [:])
            default: return nil
            }
        case .pigmentBatch(let event):
            switch event {
            case .received: return ("/v1/pigment-batches", [:])
            case .recalled: return ("/v1/pigment-batches/\(id)/recalls", [:])
            }
        case .location(let event):
            switch event {
            case .opened: return ("/v1/locations", ["locationID": id])
            case .hoursSet: return ("/v1/locations/\(id)/hours", [:])
            }
        case .care(let event):
            switch event {
            case .published: return ("/v1/instruction-sets", ["instructionSetID": id])
            case .revised: return ("/v1/instruction-sets/\(id)/revisions", [:])
            }
        case .settings(let event):
            switch event {
            case .changed: return ("/v1/settings", [:])
            case .consentFormPublished: return ("/v1/settings/consent-forms", [:])
            }
        }
    }

    @Test("a generated history replayed through the routes is accepted and stored event for event")
    func replayHistory() async throws {
        let history = Array(
            ClinicHistory(HistoryConfiguration(seed: 7, clientCount: 4, locationCount: 1, techniciansPerLocation: 2)))
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                var requests = 0
                for pending in history {
                    guard let (path, extra) = Self.route(for: pending) else { continue }
                    var object = try #require(
                        try JSONSerialization.jsonObject(with: pending.event.encoded().data) as? [String: Any])
                    for (key, value) in extra { object[key] = value }
                    let response = try await client.execute(
                        uri: path, method: .post, headers: fixture.headers(.operator), body: jsonBody(object))
                    requests += 1
                    try #require(response.status == .created, "\(pending.event.typeName) \(path): \(response.text)")
                }
                #expect(requests > 50)
            }
            // Every stream holds exactly the generated events, in order.
            let stored = try await fixture.database.store.readAll(limit: 10_000).events
            #expect(stored.count == history.count)
            var expected: [String: [ClinicEvent]] = [:]
            for pending in history { expected[pending.stream.rawValue, default: []].append(pending.event) }
            var actual: [String: [ClinicEvent]] = [:]
            for event in stored {
                actual[event.stream.rawValue, default: []].append(
                    try ClinicEvent.decode(type: event.type, schemaVersion: event.schemaVersion, data: event.data))
            }
            #expect(actual == expected)
            let expectedVersions =
                expected["client-\(try #require(history.first { $0.stream.category == "client" }?.stream.id))"]?.count
                ?? 0
            let metadata = try #require(try stored.first?.metadata())
            #expect(metadata.actor == "test-operator")

            // The read side over the same history.
            try await fixture.catchUpProjections()
            let clientID = try #require(history.first { $0.stream.category == "client" }?.stream.id)
            try await fixture.test { client in
                let operator_ = fixture.headers(.operator)
                let timeline = try await client.execute(
                    uri: "/v1/clients/\(clientID)/timeline?limit=2", method: .get, headers: operator_)
                #expect(timeline.status == .ok, "\(timeline.text)")
                #expect((timeline.json["entries"] as? [Any])?.count == 2)
                let cursor = try #require(timeline.json["next_cursor"] as? String)
                let next = try await client.execute(
                    uri: "/v1/clients/\(clientID)/timeline?limit=2&cursor=\(cursor)", method: .get, headers: operator_)
                #expect(next.status == .ok)
                #expect((next.json["entries"] as? [Any])?.count == 2)
                let revenue = try await client.execute(
                    uri: "/v1/revenue?from=2019-01-01&to=2026-12-31&by=month", method: .get, headers: operator_)
                #expect(revenue.status == .ok, "\(revenue.text)")
                #expect(((revenue.json["lines"] as? [Any])?.count ?? 0) > 0)
                let badGrouping = try await client.execute(
                    uri: "/v1/revenue?from=2019-01-01&to=2026-12-31&by=planet", method: .get, headers: operator_)
                #expect(badGrouping.json["field"] as? String == "by")
                #expect(
                    (revenue.json["asked"] as? [String: Any])?["description"] as? String
                        == "live, from every event recorded")

                // An auditor's two questions: what was true at the end of 2021 (business time; everything here was
                // recorded today), and what the records said in 2000 (nothing yet).
                let auditorHeaders = fixture.headers(.auditor)
                let effective = try await client.execute(
                    uri: "/v1/revenue?from=2019-01-01&to=2026-12-31&by=month&effective_at=2021-12-31", method: .get,
                    headers: auditorHeaders)
                #expect(effective.status == .ok, "\(effective.text)")
                let asked = try #require(effective.json["asked"] as? [String: Any])
                #expect(asked["effectiveAt"] as? String == "2021-12-31T23:59:59Z")
                #expect((asked["description"] as? String)?.hasPrefix("as effective at 2021-12-31T23:59:59Z") == true)
                let months = { (json: [String: Any]) in
                    ((json["lines"] as? [[String: Any]]) ?? []).compactMap { $0["group"] as? String }
                }
                #expect(!months(effective.json).isEmpty)
                #expect(months(effective.json) == months(revenue.json).filter { $0 <= "2021-12" })
                let known = try await client.execute(
                    uri: "/v1/revenue?from=2019-01-01&to=2026-12-31&known_at=2000-01-01", method: .get,
                    headers: auditorHeaders)
                #expect(known.status == .ok, "\(known.text)")
                #expect((known.json["asked"] as? [String: Any])?["position"] as? Int == 0)
                #expect(months(known.json).isEmpty)
                let badDate = try await client.execute(
                    uri: "/v1/revenue?from=2019-01-01&to=2026-12-31&known_at=last-year", method: .get,
                    headers: auditorHeaders)
                #expect(badDate.status == .badRequest)
                #expect(badDate.json["field"] as? String == "known_at")
                for uri in ["/v1/forecasts?due_within=3650d", "/v1/schedule?from=2019-01-01"] {
                    let response = try await client.execute(uri: uri, method: .get, headers: operator_)
                    #expect(response.status == .ok, "\(uri): \(response.text)")
                }

                // The raw feed, paged with its resume token, is the log in order.
                let auditor = fixture.headers(.auditor)
                var after = "0"
                var positions: [Int] = []
                while true {
                    let page = try await client.execute(
                        uri: "/v1/events?after=\(after)&limit=200", method: .get, headers: auditor)
                    #expect(page.status == .ok)
                    let events = try #require(page.json["events"] as? [[String: Any]])
                    positions += events.compactMap { $0["position"] as? Int }
                    after = try #require(page.json["next"] as? String)
                    if events.isEmpty { break }
                }
                #expect(positions == Array(1...stored.count))
                let stream = try await client.execute(
                    uri: "/v1/streams/client-\(clientID)", method: .get, headers: auditor)
                #expect(stream.status == .ok)
                let versions = (stream.json["events"] as? [[String: Any]])?.compactMap { $0["version"] as? Int }
                #expect(versions == Array(0..<expectedVersions))
            }
        }
    }
}
