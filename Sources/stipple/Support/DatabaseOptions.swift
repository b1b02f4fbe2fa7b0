import ArgumentParser
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

    func configuration() throws -> PostgresConfiguration {
        if let databaseURL { return try PostgresConfiguration(databaseURL) }
        return try PostgresConfiguration.fromEnvironment()
    }

    func pool(maximumConnections: Int = 4) throws -> ConnectionPool {
        ConnectionPool(configuration: try configuration(), maximumConnections: maximumConnections)
    }

    func migrator() throws -> Migrator {
        let directory = try schemaDirectory.map { URL(fileURLWithPath: $0) } ?? Migrator.locateSchemaDirectory()
        return try Migrator(directory: directory)
    }
}
