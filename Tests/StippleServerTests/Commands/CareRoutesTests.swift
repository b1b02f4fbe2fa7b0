import Clinic
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import StippleServer

@Suite("Care instruction sets and the aftercare list over the API")
struct CareRoutesTests {
    static func set(_ items: [[String: Any]]) -> [String: Any] {
        ["instructionSetID": "smp-standard", "name": "SMP standard care", "at": "2026-01-01T09:00:00Z", "items": items]
    }

    static var aftercare: [String: Any] {
        [
            "kind": "aftercare", "topic": "sweating", "text": "No gym for 5 days", "days": 5,
        ]
    }

    @Test("a set is published once and revised by the next version; bad items and versions are refused by field")
    func publishAndRevise() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let headers = fixture.headers(.operator)
                let published = try await client.execute(
                    uri: "/v1/instruction-sets", method: .post, headers: headers,
                    body: jsonBody(Self.set([Self.aftercare])))
                #expect(published.status == .created, "\(published.text)")
                #expect(
                    ((published.json["events"] as? [[String: Any]])?.first?["type"] as? String)
                        == "care.instruction-set-published")
                let again = try await client.execute(
                    uri: "/v1/instruction-sets", method: .post, headers: headers,
                    body: jsonBody(Self.set([Self.aftercare])))
                #expect(again.status == .unprocessableContent)
                #expect((again.json["detail"] as? String)?.contains("already published") == true)
                var wrongKind = Self.aftercare
                wrongKind["kind"] = "during"
                let badKind = try await client.execute(
                    uri: "/v1/instruction-sets", method: .post, headers: headers,
                    body: jsonBody(Self.set([wrongKind])))
                #expect(badKind.status == .badRequest)
                #expect((badKind.json["detail"] as? String)?.contains("aftercare") == true, "\(badKind.text)")
                let skipping = try await client.execute(
                    uri: "/v1/instruction-sets/smp-standard/revisions", method: .post, headers: headers,
                    body: jsonBody([
                        "version": 3, "reason": "Longer gym break", "at": "2026-02-01T09:00:00Z",
                        "items": [["kind": "aftercare", "topic": "sweating", "text": "No gym for 7 days", "days": 7]],
                    ]))
                #expect(skipping.status == .unprocessableContent)
                #expect(skipping.json["field"] as? String == "version")
                let revised = try await client.execute(
                    uri: "/v1/instruction-sets/smp-standard/revisions", method: .post, headers: headers,
                    body: jsonBody([
                        "version": 2, "reason": "Longer gym break", "at": "2026-02-01T09:00:00Z",
                        "items": [["kind": "aftercare", "topic": "sweating", "text": "No gym for 7 days", "days": 7]],
                    ]))
                #expect(revised.status == .created, "\(revised.text)")
            }
        }
    }

    @Test("instructions for an appointment the client does not have are a 422; the follow-up list answers")
    func instructionsAndFollowUps() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let headers = fixture.headers(.operator)
                _ = try await client.execute(
                    uri: "/v1/instruction-sets", method: .post, headers: headers,
                    body: jsonBody(Self.set([Self.aftercare])))
                let id = UUID()
                _ = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers, body: Payloads.client(id))
                let appointment = UUID().uuidString.lowercased()
                let given = try await client.execute(
                    uri: "/v1/clients/\(id.uuidString.lowercased())/instructions", method: .post, headers: headers,
                    body: jsonBody([
                        "kind": "aftercare", "instructionSetID": "smp-standard", "instructionSetVersion": 1,
                        "appointmentID": appointment, "channel": "email",
                    ]))
                #expect(given.status == .unprocessableContent)
                #expect(given.json["detail"] as? String == "no appointment \(appointment) for this client")
                try await fixture.catchUpProjections()
                let list = try await client.execute(
                    uri: "/v1/aftercare-follow-ups?as_of=2026-06-01", method: .get, headers: headers)
                #expect(list.status == .ok, "\(list.text)")
                #expect((list.json["followUps"] as? [Any])?.isEmpty == true)
                #expect(list.json["asOf"] as? String == "2026-06-01T00:00:00Z")
                let bad = try await client.execute(
                    uri: "/v1/aftercare-follow-ups?as_of=someday", method: .get, headers: headers)
                #expect(bad.json["field"] as? String == "as_of")
            }
        }
    }
}
