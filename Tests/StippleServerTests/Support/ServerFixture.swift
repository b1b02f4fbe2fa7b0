import ClinicService
import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Projections
import TestSupport

@testable import StippleServer

/// A database, the app over it, and one key per role.
struct ServerFixture: Sendable {
    let database: TestDatabase
    let app: StippleApp
    let keys: [Role: String]

    static func with<T>(
        configuration: StippleServerConfiguration = .init(port: 0, runProjections: false),
        _ body: (ServerFixture) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with(connections: 16) { database in
            let app = StippleApp(store: database.store, configuration: configuration)
            try await ProjectionRunner(store: database.store, projections: ClinicProjections.all(for: database.store))
                .prepare()
            var keys: [Role: String] = [:]
            for role in Role.allCases {
                keys[role] = try await app.keys.create(name: "test-\(role.rawValue)", role: role).secret
            }
            return try await body(ServerFixture(database: database, app: app, keys: keys))
        }
    }

    func headers(_ role: Role?, _ extra: HTTPFields = [:]) -> HTTPFields {
        var headers = extra
        if let role, let key = keys[role] { headers[.authorization] = "Bearer \(key)" }
        headers[.contentType] = "application/json"
        return headers
    }

    /// Runs `test` against the router (no network).
    func test<T: Sendable>(_ test: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await app.buildApplication(logger: Self.logger).test(.router, test)
    }

    /// The server's logger in tests: warnings and errors only (at the default, info, every request of every test
    /// would be a line of CI's output).
    static let logger: Logger = {
        var logger = Logger(label: "stipple.test")
        logger.logLevel = .warning
        return logger
    }()
}

extension TestResponse {
    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}

func jsonBody(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
}

extension ServerFixture {
    /// Brings every projection up to the head of the log.
    func catchUpProjections() async throws {
        try await ProjectionRunner(store: database.store, projections: ClinicProjections.all(for: database.store))
            .catchUp()
    }
}
