import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import StippleServer

@Suite("Command errors, idempotency and concurrency")
struct CommandBehaviourTests {
    static func setUpStudio(_ client: any TestClientProtocol, _ fixture: ServerFixture) async throws {
        let headers = fixture.headers(.operator)
        let location = try await client.execute(
            uri: "/v1/locations", method: .post, headers: headers, body: Payloads.location())
        #expect(location.status == .created, "\(location.text)")
        let technician = try await client.execute(
            uri: "/v1/technicians", method: .post, headers: headers, body: Payloads.technician("T-01"))
        #expect(technician.status == .created, "\(technician.text)")
    }

    @Test("unknown routes are 404 problem details, never HTML")
    func unknownRoute() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let response = try await client.execute(uri: "/v1/nothing-here", method: .get)
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.json["status"] as? Int == 404)
                #expect(response.json["title"] as? String == "Not found")
            }
        }
    }

    @Test("malformed JSON, a wrong type and a missing field are 400s naming the field")
    func badBodies() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let headers = fixture.headers(.operator)
                let broken = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers, body: ByteBuffer(string: "{\"personal\": "))
                #expect(broken.status == .badRequest)
                #expect(broken.headers[.contentType] == "application/problem+json")
                let wrongType = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers,
                    body: jsonBody(["personal": ["fullName": 42, "contact": [:], "dateOfBirth": "1990-01-01"]]))
                #expect(wrongType.status == .badRequest)
                #expect(wrongType.json["field"] as? String == "personal.fullName", "\(wrongType.text)")
                let missing = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers, body: jsonBody(["referralSource": "web"]))
                #expect(missing.status == .badRequest)
                #expect(missing.json["field"] as? String == "personal")
                let badID = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers,
                    body: jsonBody([
                        "clientID": "nope",
                        "personal": ["fullName": "A", "contact": [:], "dateOfBirth": "1990-01-01"],
                    ]))
                #expect(badID.json["field"] as? String == "clientID")
            }
        }
    }

    @Test("a body over the limit is a 413")
    func tooLarge() async throws {
        try await ServerFixture.with(configuration: .init(bodyLimit: 1024, runProjections: false)) { fixture in
            try await fixture.test { client in
                let big = jsonBody(["referralSource": String(repeating: "x", count: 4096)])
                let response = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: fixture.headers(.operator), body: big)
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test("a domain rejection is a 422 with its reason; an unknown client is a 404")
    func rejections() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let headers = fixture.headers(.operator)
                let unknown = try await client.execute(
                    uri: "/v1/clients/\(UUID().uuidString.lowercased())/payments", method: .post, headers: headers,
                    body: Payloads.payment(minor: 100))
                #expect(unknown.status == .notFound)
                let id = UUID()
                _ = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers, body: Payloads.client(id))
                let again = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: headers, body: Payloads.client(id))
                #expect(again.status == .unprocessableContent)
                #expect((again.json["detail"] as? String)?.contains("already registered") == true)
                let zero = try await client.execute(
                    uri: "/v1/clients/\(id.uuidString.lowercased())/payments", method: .post, headers: headers,
                    body: Payloads.payment(minor: 0))
                #expect(zero.status == .unprocessableContent)
                #expect((zero.json["detail"] as? String)?.contains("above zero") == true)
            }
        }
    }

    @Test("a retried request with the same Idempotency-Key returns the first answer and appends nothing")
    func idempotency() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                var headers = fixture.headers(.operator)
                headers[HTTPField.Name("Idempotency-Key")!] = "pay-1"
                let id = UUID()
                _ = try await client.execute(
                    uri: "/v1/clients", method: .post, headers: fixture.headers(.operator), body: Payloads.client(id))
                let body = Payloads.payment(minor: 5000)
                let uri = "/v1/clients/\(id.uuidString.lowercased())/payments"
                let first = try await client.execute(uri: uri, method: .post, headers: headers, body: body)
                #expect(first.status == .created)
                let head = try await fixture.database.store.headPosition()
                let second = try await client.execute(uri: uri, method: .post, headers: headers, body: body)
                #expect(second.status == .created)
                #expect(second.text == first.text)
                #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(try await fixture.database.store.headPosition() == head)
                let other = try await client.execute(
                    uri: uri, method: .post, headers: headers, body: Payloads.payment(minor: 7000))
                #expect(other.status == .unprocessableContent)
            }
        }
    }

    @Test("two concurrent bookings of one technician's slot end as one booking and one 422, never a double booking")
    func concurrentDoubleBooking() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                try await Self.setUpStudio(client, fixture)
                let headers = fixture.headers(.operator)
                let clients = [UUID(), UUID(), UUID(), UUID()]
                for id in clients {
                    let registered = try await client.execute(
                        uri: "/v1/clients", method: .post, headers: headers, body: Payloads.client(id))
                    #expect(registered.status == .created)
                }
                let start = Date().addingTimeInterval(7 * 86_400).rounded()
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for id in clients {
                        group.addTask {
                            let response = try await client.execute(
                                uri: "/v1/clients/\(id.uuidString.lowercased())/consultations", method: .post,
                                headers: headers, body: try Payloads.consultation(technician: "T-01", start: start))
                            if response.status == .unprocessableContent {
                                #expect((response.json["detail"] as? String)?.contains("already booked") == true)
                            }
                            return Int(response.status.code)
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.sorted() == [201, 422, 422, 422], "\(statuses)")
                let technician = try await fixture.database.store.readStream(try .init("technician-T-01"))
                #expect(technician.filter { $0.type == "technician.slot-reserved" }.count == 1)
            }
        }
    }
}

extension Date {
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
