import ArgumentParser
import EventStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the SQL migrations the database has not seen yet (safe to run again).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingErrors {
            let pool = try database.pool(maximumConnections: 1)
            let migrator = try database.migrator()
            let applied = try await migrator.migrate(pool: pool)
            if applied.isEmpty {
                print("Schema is up to date (version \(migrator.migrations.last?.version ?? 0)).")
            } else {
                for migration in applied {
                    print("Applied \(String(format: "%04d", migration.version)) \(migration.name)")
                }
            }
            await pool.close()
        }
    }
}
