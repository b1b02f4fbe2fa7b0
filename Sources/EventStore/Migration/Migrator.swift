import Foundation
import Postgres

/// Applies the numbered SQL files of `Schema/` that a database has not seen yet.
///
/// Each file runs in its own transaction and is recorded in `schema_migrations` with a
/// checksum; a session advisory lock keeps two migrators from racing. Running it again
/// is a no-op; an applied file that was edited afterwards is an error, not a silent skip.
public struct Migrator: Sendable {
    /// One migration file, `NNNN_name.sql`.
    public struct Migration: Sendable, Hashable {
        public var version: Int
        public var name: String
        public var sql: String
    }

    /// Why migrating failed.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case noSchemaDirectory(searched: [String])
        case badFileName(String)
        case duplicateVersion(Int)
        case changedAfterApplied(version: Int, name: String)
        case unknownAppliedVersion(Int)

        public var description: String {
            switch self {
            case .noSchemaDirectory(let searched):
                "no Schema/ directory with migrations found (looked in \(searched.joined(separator: ", "))); "
                    + "set STIPPLE_SCHEMA_DIR"
            case .badFileName(let name): "migration file \(name) is not named NNNN_name.sql"
            case .duplicateVersion(let version): "two migration files have version \(version)"
            case .changedAfterApplied(let version, let name):
                "migration \(version) (\(name)) was edited after it was applied; add a new migration instead"
            case .unknownAppliedVersion(let version):
                "the database has migration \(version), which this build does not know: it is newer than the code"
            }
        }
    }

    /// An arbitrary constant: the advisory lock key migrators share.
    static let lockKey: Int64 = 0x5354_4950_504C_45

    public let migrations: [Migration]

    public init(directory: URL) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        var migrations: [Migration] = []
        for file in files {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw Failure.badFileName(file)
            }
            guard !migrations.contains(where: { $0.version == version }) else {
                throw Failure.duplicateVersion(version)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(
                Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Finds `Schema/`: `STIPPLE_SCHEMA_DIR`, else next to or above the working directory
    /// or the executable.
    public static func locateSchemaDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        extraStart: URL? = nil
    ) throws -> URL {
        if let explicit = environment["STIPPLE_SCHEMA_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        var starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        starts.append(
            URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
                .deletingLastPathComponent())
        if let extraStart { starts.append(extraStart) }
        var searched: [String] = []
        for start in starts {
            var directory = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = directory.appendingPathComponent("Schema")
                searched.append(candidate.path)
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_event_store.sql").path)
                {
                    return candidate
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw Failure.noSchemaDirectory(searched: Array(searched.prefix(4)))
    }

    /// The versions already applied to the database.
    public func appliedVersions(pool: ConnectionPool) async throws -> [Int] {
        try await pool.withConnection { connection in
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
            guard try exists.first?.decode(Bool.self) == true else { return [] }
            return try await connection.query("SELECT version FROM schema_migrations ORDER BY version")
                .map { try $0.decode(Int.self) }
        }
    }

    /// Applies what is missing; returns the migrations it applied (empty when up to date).
    @discardableResult
    public func migrate(pool: ConnectionPool) async throws -> [Migration] {
        try await pool.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                let applied = try await apply(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let rows = try await connection.query(
            "SELECT version, checksum FROM schema_migrations")
        var appliedChecksums: [Int: String] = [:]
        for row in rows {
            let (version, checksum) = try row.decode((Int, String).self)
            appliedChecksums[version] = checksum
        }
        for version in appliedChecksums.keys where !migrations.contains(where: { $0.version == version }) {
            throw Failure.unknownAppliedVersion(version)
        }
        var applied: [Migration] = []
        for migration in migrations {
            let checksum = try await connection.query(
                "SELECT encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex')"
            ).first?.decode(String.self)
            if let existing = appliedChecksums[migration.version] {
                guard existing == checksum else {
                    throw Failure.changedAfterApplied(version: migration.version, name: migration.name)
                }
                continue
            }
            try await connection.withTransaction { connection in
                try await connection.executeScript(migration.sql)
                try await connection.execute(
                    """
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(checksum ?? ""))
                    """)
            }
            applied.append(migration)
        }
        return applied
    }
}
