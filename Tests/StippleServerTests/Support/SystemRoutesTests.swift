import ClinicService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import StippleServer

@Suite("OpenAPI, health and metrics")
struct SystemRoutesTests {
    @Test("the OpenAPI document lists exactly the registered routes, and each of them is routed")
    func openAPIMatchesRoutes() async throws {
        try await ServerFixture.with { fixture in
            let endpoints = fixture.app.buildRouter().endpoints
            try await fixture.test { client in
                let response = try await client.execute(uri: "/openapi.json", method: .get)
                #expect(response.status == .ok)
                let document = response.json
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                var documented = Set<String>()
                for (path, operations) in paths {
                    for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
                }
                let registered = Set(endpoints.map { "\($0.method) \($0.path)" })
                #expect(documented == registered)
                #expect(registered.count == endpoints.count, "a route is registered twice")
                for endpoint in endpoints where endpoint.path != "/v1/subscribe" {
                    let answer = try await client.execute(
                        uri: AuthMatrixTests.uri(endpoint.path), method: HTTPRequest.Method(endpoint.method)!,
                        headers: fixture.headers(Role.allCases.first { $0.allows(endpoint.permission) }))
                    #expect(
                        answer.json["detail"] as? String != "no such route",
                        "\(endpoint.method) \(endpoint.path) is documented but not routed")
                }
                let unrouted = try await client.execute(uri: "/v1/clients", method: .get)
                #expect(unrouted.status == .notFound || unrouted.status == .methodNotAllowed)
            }
        }
    }

    @Test("health reports the database and each projection's lag")
    func health() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let response = try await client.execute(uri: "/health", method: .get)
                #expect(response.status == .ok)
                #expect(response.json["database"] as? String == "ok")
                let projections = try #require(response.json["projections"] as? [String: Any])
                #expect(projections["timeline"] != nil)
            }
        }
    }

    @Test("metrics are Prometheus text with request counts")
    func metrics() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                _ = try await client.execute(uri: "/v1/nothing", method: .get)
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(
                    response.text.contains(
                        "stipple_http_requests_total{method=\"GET\",route=\"NotFound\",status=\"404\"} 1"))
                #expect(response.text.contains("stipple_projection_lag_events{projection=\"timeline\"} 0"))
                // Latency is a histogram by route and status, with the buckets Prometheus needs for quantiles.
                #expect(response.text.contains("# TYPE stipple_http_request_duration_seconds histogram"))
                #expect(
                    response.text.contains(
                        "stipple_http_request_duration_seconds_count{method=\"GET\",route=\"NotFound\",status=\"404\"} 1"
                    ))
                #expect(response.text.contains("stipple_http_request_duration_seconds_bucket{"))
                #expect(response.text.contains("# TYPE stipple_db_pool_open_connections gauge"))
            }
        }
    }

    @Test("every answer carries a request id: the caller's when it is usable, else a new one")
    func requestIDs() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.test { client in
                let header = try #require(HTTPField.Name("X-Request-ID"))
                let given = try await client.execute(
                    uri: "/health", method: .get, headers: [header: "checkout-7f3a"])
                #expect(given.headers[header] == "checkout-7f3a")
                let fresh = try await client.execute(uri: "/v1/nothing", method: .get)
                let id = try #require(fresh.headers[header])
                #expect(UUID(uuidString: id) != nil)
                let unusable = try await client.execute(
                    uri: "/health", method: .get, headers: [header: String(repeating: "x", count: 500)])
                #expect(unusable.headers[header].flatMap(UUID.init(uuidString:)) != nil)
            }
        }
    }
}
