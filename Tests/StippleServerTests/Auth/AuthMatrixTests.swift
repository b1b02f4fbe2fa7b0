import ClinicService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import StippleServer

@Suite("Who may call what")
struct AuthMatrixTests {
    /// A concrete URI for a route template.
    static func uri(_ path: String) -> String {
        path.replacingOccurrences(of: "{id}", with: "00000000-0000-4000-8000-000000000001")
            .replacingOccurrences(of: "{stream}", with: "client-00000000-0000-4000-8000-000000000001")
            .replacingOccurrences(of: "{batch}", with: "NO-SUCH-BATCH")
    }

    @Test(
        "every route answers 401 without a key or with a bad one, 403 for a role that may not, and lets allowed roles through"
    )
    func authMatrix() async throws {
        try await ServerFixture.with { fixture in
            let endpoints = fixture.app.buildRouter().endpoints
            #expect(endpoints.count > 40)
            try await fixture.test { client in
                for endpoint in endpoints {
                    let method = HTTPRequest.Method(endpoint.method)!
                    let uri = Self.uri(endpoint.path)
                    let body = method == .post ? jsonBody([:]) : nil
                    if endpoint.permission == .public {
                        let response = try await client.execute(uri: uri, method: method)
                        #expect(response.status != .unauthorized && response.status != .forbidden, "\(uri)")
                        continue
                    }
                    let anonymous = try await client.execute(uri: uri, method: method, body: body)
                    #expect(anonymous.status == .unauthorized, "\(endpoint.method) \(uri) without a key")
                    #expect(anonymous.headers[.contentType] == "application/problem+json")
                    var bad = HTTPFields()
                    bad[.authorization] = "Bearer stp_" + String(repeating: "0", count: 64)
                    let badKey = try await client.execute(uri: uri, method: method, headers: bad, body: body)
                    #expect(badKey.status == .unauthorized, "\(endpoint.method) \(uri) with a bad key")
                    for role in Role.allCases {
                        let allowed = role.allows(endpoint.permission)
                        // A live subscription never ends; it is tested on a real server.
                        if allowed && endpoint.path == "/v1/subscribe" { continue }
                        let response = try await client.execute(
                            uri: uri, method: method, headers: fixture.headers(role), body: body)
                        if allowed {
                            #expect(
                                response.status != .unauthorized && response.status != .forbidden,
                                "\(role) \(endpoint.method) \(uri): \(response.status)")
                            #expect(response.status.code < 500, "\(role) \(endpoint.method) \(uri): \(response.text)")
                        } else {
                            #expect(response.status == .forbidden, "\(role) \(endpoint.method) \(uri)")
                            #expect(response.json["status"] as? Int == 403)
                        }
                    }
                }
            }
        }
    }

    @Test("the role table: operators command and query, auditors read everything, integrators only the feed")
    func roleTable() {
        #expect(Role.operator.allows(.command) && Role.operator.allows(.query) && !Role.operator.allows(.readFeed))
        #expect(!Role.auditor.allows(.command) && Role.auditor.allows(.query) && Role.auditor.allows(.readFeed))
        #expect(!Role.integrator.allows(.query) && Role.integrator.allows(.readFeed))
        #expect(Role.admin.allows(.manageKeys) && !Role.admin.allows(.command))
    }

    @Test("an integrator limited to a category may read only that category")
    func integratorCategories() async throws {
        try await ServerFixture.with { fixture in
            let limited = try await fixture.app.keys.create(
                name: "crm", role: .integrator, categories: ["technician"]
            ).secret
            try await fixture.test { client in
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(limited)"
                let own = try await client.execute(
                    uri: "/v1/events?category=technician", method: .get, headers: headers)
                #expect(own.status == .ok)
                let implicit = try await client.execute(uri: "/v1/events", method: .get, headers: headers)
                #expect(implicit.status == .ok)
                let other = try await client.execute(uri: "/v1/events?category=client", method: .get, headers: headers)
                #expect(other.status == .forbidden)
                let stream = try await client.execute(
                    uri: "/v1/streams/client-00000000-0000-4000-8000-000000000001", method: .get, headers: headers)
                #expect(stream.status == .forbidden)
            }
        }
    }

    @Test("a revoked key is refused with 401")
    func revokedKey() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let created = try await client.execute(
                    uri: "/v1/keys", method: .post, headers: fixture.headers(.admin),
                    body: jsonBody(["name": "front desk", "role": "operator"]))
                #expect(created.status == .created)
                let secret = try #require(created.json["key"] as? String)
                let id = try #require(created.json["id"] as? String)
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(secret)"
                #expect(
                    try await client.execute(
                        uri: "/v1/revenue?from=2026-01-01&to=2026-12-31", method: .get,
                        headers: headers
                    ).status != .unauthorized)
                let listed = try await client.execute(uri: "/v1/keys", method: .get, headers: fixture.headers(.admin))
                #expect(!listed.text.contains(secret))
                #expect(listed.text.contains("front desk"))
                let revoked = try await client.execute(
                    uri: "/v1/keys/\(id)", method: .delete, headers: fixture.headers(.admin))
                #expect(revoked.status == .noContent)
                let after = try await client.execute(uri: "/v1/events", method: .get, headers: headers)
                #expect(after.status == .unauthorized)
            }
        }
    }
}
