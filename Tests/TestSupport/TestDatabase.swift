import EventStore
import Foundation
import Postgres

/// A fresh, migrated database of its own for one test or suite, on the cluster that
/// `Scripts/test.sh` started (`STIPPLE_TEST_DATABASE_URL`, else `STIPPLE_DATABASE_URL`).
public struct TestDatabase: Sendable {
    public let name: String
    public let configuration: PostgresConfiguration
    public let pool: ConnectionPool
    public let store: EventStore

    /// The admin URL tests create their databases from.
    public static func serverConfiguration() throws -> PostgresConfiguration {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["STIPPLE_TEST_DATABASE_URL"] ?? environment["STIPPLE_DATABASE_URL"] else {
            throw PostgresError(
                code: .invalidConfiguration,
                message: "set STIPPLE_TEST_DATABASE_URL (Scripts/test.sh does) to run database tests")
        }
        return try PostgresConfiguration(url)
    }

    /// The repository's `Schema/` folder.
    public static var schemaDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Schema")
    }

    /// The repository's root folder.
    public static var repositoryRoot: URL { schemaDirectory.deletingLastPathComponent() }

    /// Creates an empty database (migrated unless told otherwise).
    public static func make(migrated: Bool = true, limits: EventStore.Limits = .init(), connections: Int = 8)
        async throws -> TestDatabase
    {
        let server = try serverConfiguration()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let admin = try await PostgresConnection.connect(server)
        try await admin.execute("CREATE DATABASE \(identifier: String(name))")
        await admin.close()
        let configuration = try server.withDatabase(String(name))
        let pool = ConnectionPool(configuration: configuration, maximumConnections: connections)
        if migrated {
            try await Migrator(directory: schemaDirectory).migrate(pool: pool)
        }
        return TestDatabase(
            name: String(name), configuration: configuration, pool: pool, store: EventStore(pool: pool, limits: limits))
    }

    /// Every row of the events table in order, as text: a fingerprint to compare before and after.
    public func eventsFingerprint() async throws -> [String] {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT position, stream, version, event_id, type, data::text, metadata::text FROM events ORDER BY position"
            ).map { row in
                try (0..<7).map { try row.decode(String.self, at: $0) }.joined(separator: "|")
            } + [try await connection.query("SELECT position FROM log_head").first?.decode(String.self, at: 0) ?? "?"]
        }
    }

    /// Closes the pool and drops the database.
    public func drop() async {
        await pool.close()
        guard let server = try? Self.serverConfiguration(),
            let admin = try? await PostgresConnection.connect(server)
        else { return }
        _ = try? await admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
        await admin.close()
    }
}

extension TestDatabase {
    /// Runs `body` with a fresh database and drops the database afterwards, even on failure.
    public static func with<T>(
        migrated: Bool = true, limits: EventStore.Limits = .init(), connections: Int = 8,
        _ body: (TestDatabase) async throws -> T
    ) async throws -> T {
        let database = try await make(migrated: migrated, limits: limits, connections: connections)
        do {
            let value = try await body(database)
            await database.drop()
            return value
        } catch {
            await database.drop()
            throw error
        }
    }
}
