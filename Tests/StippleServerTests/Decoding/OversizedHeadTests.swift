import Foundation
import Testing

@testable import StippleServer

/// Request heads over the parser's limit (256 KiB) are refused before any route runs; they get a problem
/// document, not the bare 400 Hummingbird writes for a parse error.
@Suite("Oversized request heads")
struct OversizedHeadTests {
    @Test(
        "over TCP: a request line over 256 KiB is a 414 problem, header fields over it a 431 problem, and the server serves on",
        .timeLimit(.minutes(8)))
    func oversizedHeads() async throws {
        try await ServerFixture.with { fixture in
            let secret = try #require(fixture.keys[.operator])
            try await LoopbackServer(app: fixture.app, logLevel: .critical).withServer { port in
                let auth = ["Authorization": "Bearer \(secret)"]
                let limit = StippleApp.maximumRequestHead
                // A path longer than the whole head may be.
                let path = "/v1/clients/" + String(repeating: "7", count: limit + 10)
                let long = try await RawHTTPClient.send(port: port, "GET", path, headers: auth)
                #expect(long.status == 414)
                #expect(long.headers["content-type"] == "application/problem+json")
                #expect(long.json["status"] as? Int == 414)
                #expect(long.json["field"] as? String == "(path)")
                #expect((long.json["detail"] as? String)?.contains("262144 bytes") == true, "\(long.json)")

                // One header value too large; then many headers, each small, too large together.
                let big = try await RawHTTPClient.send(
                    port: port, "GET", "/v1/schedule",
                    headers: auth.merging(["X-Big": String(repeating: "b", count: limit + 10)]) { $1 })
                #expect(big.status == 431)
                #expect(big.headers["content-type"] == "application/problem+json")
                #expect(big.json["status"] as? Int == 431)
                #expect(big.json["field"] as? String == "(headers)")
                var many = auth
                for index in 0..<300 { many["X-Filler-\(index)"] = String(repeating: "f", count: 1000) }
                let crowd = try await RawHTTPClient.send(port: port, "GET", "/v1/schedule", headers: many)
                #expect(crowd.status == 431)
                #expect(crowd.json["type"] as? String == "https://stipple.dev/problems/request-header-fields-too-large")

                // Below the limit, the routes' own rules still answer (414 from the path check), and the server
                // is still serving ordinary requests.
                let shorter = try await RawHTTPClient.send(
                    port: port, "GET", "/v1/clients/" + String(repeating: "7", count: 100_000) + "/timeline",
                    headers: auth)
                #expect(shorter.status == 414)
                #expect(shorter.json["title"] as? String == "The path is too long")
                let health = try await RawHTTPClient.send(port: port, "GET", "/health")
                #expect(health.status == 200)
            }
        }
    }

    @Test("a header overflow is a 414 when the request line alone is over the limit, else a 431")
    func whichStatus() {
        #expect(OversizedHeadHandler.problem(requestLineTooLong: true).status == .uriTooLong)
        #expect(OversizedHeadHandler.problem(requestLineTooLong: false).status == .requestHeaderFieldsTooLarge)
    }
}
