import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Postgres
import Testing

@testable import StippleServer

@Suite("When the database is unreachable")
struct UnavailableDatabaseTests {
    /// An app whose database refuses connections (nothing listens on port 1).
    static func unreachableApp() throws -> StippleApp {
        let configuration = try PostgresConfiguration("postgresql://stipple@127.0.0.1:1/stipple", connectTimeout: 1)
        return StippleApp(
            store: EventStore(configuration: configuration, maximumConnections: 2),
            configuration: .init(runProjections: false))
    }

    @Test("health, commands and the feed answer 503 problems with Retry-After, never a 500")
    func unavailable() async throws {
        let app = try Self.unreachableApp()
        try await app.buildApplication(logger: ServerFixture.logger).test(.router) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .serviceUnavailable)
            #expect(health.headers[.retryAfter] == "2")
            var headers = HTTPFields()
            headers[.authorization] = "Bearer stp_" + String(repeating: "a", count: 64)
            let command = try await client.execute(
                uri: "/v1/clients", method: .post, headers: headers, body: ByteBuffer(string: "{}"))
            #expect(command.status == .serviceUnavailable)
            #expect(command.headers[.retryAfter] == "2")
            #expect(command.headers[.contentType] == "application/problem+json")
            #expect(!command.text.contains("127.0.0.1"))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
        }
    }
}
