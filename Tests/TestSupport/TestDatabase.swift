import ClinicService
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

    /// The master key every test database and every `stipple` run by the tests uses (hex, 32 bytes):
    /// client personal data is sealed with keys wrapped by it.
    public static let testMasterKeyText = "53544950504c452d746573742d6d61737465722d6b65792d3030303030303031"

    /// `testMasterKeyText` as a key.
    public static var testMasterKey: MasterKey {
        get throws { try MasterKey(text: testMasterKeyText, source: "TestDatabase.testMasterKeyText") }
    }

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
        try await AdminGate.shared.run {
            let admin = try await PostgresConnection.connect(server)
            do {
                try await admin.execute("CREATE DATABASE \(identifier: String(name))")
            } catch {
                await admin.close()
                throw error
            }
            await admin.close()
        }
        let configuration = try server.withDatabase(String(name))
        let pool = ConnectionPool(configuration: configuration, maximumConnections: connections)
        if migrated {
            try await Migrator(directory: schemaDirectory).migrate(pool: pool)
        }
        let vault = ClinicPrivacy.vault(pool: pool, masterKey: .success(try testMasterKey))
        return TestDatabase(
            name: String(name), configuration: configuration, pool: pool,
            store: EventStore(pool: pool, limits: limits, vault: vault))
    }

    /// Migrates this database (made with `migrated: false`) with `Schema/`'s files numbered below `version` only:
    /// where a database upgraded across migration `version` starts from.
    public func migrate(before version: Int) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.schemaDirectory.path)
        where file.hasSuffix(".sql") && (Int(file.prefix(4)) ?? 0) < version {
            try FileManager.default.copyItem(
                at: Self.schemaDirectory.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        try await Migrator(directory: folder).migrate(pool: pool)
    }

    /// Every event in order, as text: a fingerprint to compare before and after, and between databases.
    ///
    /// Data is read through the store, so sealed personal data appears as its plaintext: two databases holding
    /// the same events compare equal although each seals with keys of its own.
    public func eventsFingerprint() async throws -> [String] {
        var rows: [String] = []
        var checkpoint = Checkpoint.start
        while true {
            let page = try await store.readAll(after: checkpoint, limit: store.limits.maximumReadBatch)
            for event in page.events {
                let data = try Self.normalisedJSON(event.data)
                let metadata = String(decoding: event.metadataJSON, as: UTF8.self)
                rows.append(
                    "\(event.position)|\(event.stream)|\(event.version)|\(event.id.uuidString.lowercased())|"
                        + "\(event.type)|\(data)|\(metadata)")
            }
            guard page.events.count == store.limits.maximumReadBatch else { break }
            checkpoint = page.next
        }
        return rows + [String(try await store.headPosition())]
    }

    /// JSON with sorted keys (plaintext spliced into `jsonb` text is not in `jsonb`'s own order).
    private static func normalisedJSON(_ data: Data) throws -> String {
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return String(
            decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]),
            as: UTF8.self)
    }

    /// Closes the pool and drops the database.
    public func drop() async {
        await pool.close()
        guard let server = try? Self.serverConfiguration() else { return }
        let name = self.name
        try? await AdminGate.shared.run {
            let admin = try await PostgresConnection.connect(server)
            _ = try? await admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
            await admin.close()
        }
    }
}

/// At most a few CREATE/DROP DATABASE statements at once from this test process.
///
/// Every test makes and drops its own database over a connection to the server's admin
/// database; DROP DATABASE waits for a checkpoint, so with a few hundred tests started in
/// parallel those connections piled up past `max_connections` ("too many clients already").
actor AdminGate {
    static let shared = AdminGate(limit: 4)

    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if running < limit {
            running += 1
        } else {
            // A finishing operation hands its slot straight to the first waiter.
            await withCheckedContinuation { waiting.append($0) }
        }
        defer {
            if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
        }
        return try await body()
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
