import ArgumentParser
import EventStore
import Foundation

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the schema version, the number of events and the last position.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingErrors {
            let pool = try database.pool(maximumConnections: 1)
            let applied = try await database.migrator().appliedVersions(pool: pool)
            guard let version = applied.last else {
                throw UserError("the database has no Stipple schema yet: run `stipple migrate`")
            }
            let store = EventStore(pool: pool)
            let head = try await store.headPosition()
            let last = try await store.readAll(after: Checkpoint(position: max(0, head - 1)), limit: 1).events.first
            print("schema version   \(version)")
            print("events           \(head)")
            print("last position    \(head)")
            if let last {
                print("last recorded at \(last.recordedAt.formatted(.iso8601))")
            }
            await pool.close()
        }
    }
}
