import ArgumentParser
import ClinicService
import EventStore
import Foundation
import Postgres

/// The options every database command shares.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "A postgresql:// URL or libpq connection string (default: $STIPPLE_DATABASE_URL).")
    var databaseURL: String?

    @Option(
        name: .customLong("schema-dir"),
        help: "The folder of SQL migrations (default: ./Schema or $STIPPLE_SCHEMA_DIR).")
    var schemaDirectory: String?

    @Option(
        name: .customLong("master-key-file"),
        help: ArgumentHelp(
            "The file holding the master key that wraps the client keys: 32 bytes as base64 or hex "
                + "(default: $STIPPLE_MASTER_KEY_FILE, else the key itself in $STIPPLE_MASTER_KEY).",
            valueName: "path"))
    var masterKeyFile: String?

    /// The environment variable read when `--database-url` is not given.
    static let databaseURLVariable = "STIPPLE_DATABASE_URL"

    func configuration() throws -> PostgresConfiguration {
        if let databaseURL { return try PostgresConfiguration(databaseURL) }
        guard let url = ProcessInfo.processInfo.environment[Self.databaseURLVariable], !url.isEmpty else {
            throw UserError("no database given: set \(Self.databaseURLVariable) or pass --database-url")
        }
        return try PostgresConfiguration(url)
    }

    func pool(maximumConnections: Int = 4) throws -> ConnectionPool {
        ConnectionPool(configuration: try configuration(), maximumConnections: maximumConnections)
    }

    /// The master key, resolved once here at the edge: `--master-key-file`, else `$STIPPLE_MASTER_KEY_FILE`,
    /// else `$STIPPLE_MASTER_KEY`; the failure says what to set.
    var masterKey: Result<MasterKey, PersonalDataError> {
        do throws(PersonalDataError) {
            if let masterKeyFile { return .success(try MasterKey.load(file: masterKeyFile)) }
            guard let key = try MasterKey.fromEnvironment() else { return .failure(.masterKeyMissing) }
            return .success(key)
        } catch {
            return .failure(error)
        }
    }

    /// The vault that seals and opens client personal data; a missing master key is reported only when
    /// personal data is met, so commands that never touch it run without one.
    func vault(_ pool: ConnectionPool) -> PersonalDataVault {
        ClinicPrivacy.vault(pool: pool, masterKey: masterKey)
    }

    /// The event store over `pool`, with the vault.
    func store(_ pool: ConnectionPool, limits: EventStore.Limits = .init()) -> EventStore {
        EventStore(pool: pool, limits: limits, vault: vault(pool))
    }

    func migrator() throws -> Migrator {
        let directory = try schemaDirectory.map { URL(fileURLWithPath: $0) } ?? Migrator.locateSchemaDirectory()
        return try Migrator(directory: directory)
    }
}
