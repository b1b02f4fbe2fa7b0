import ArgumentParser
import EventStore
import Foundation
import Projections

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the schema version, the log's size and each projection's checkpoint and lag.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingErrors {
            let pool = try database.pool(maximumConnections: 2)
            let applied = try await database.migrator().appliedVersions(pool: pool)
            guard let version = applied.last else {
                throw UserError("the database has no Stipple schema yet: run `stipple migrate`")
            }
            let store = database.store(pool)
            let head = try await store.headPosition()
            let last = try await store.readAll(after: Checkpoint(position: max(0, head - 1)), limit: 1).events.first
            print("schema version   \(version)")
            print("events           \(head)")
            print("last position    \(head)")
            if let last {
                print("last recorded at \(last.recordedAt.formatted(.iso8601))")
            }
            if applied.contains(2) {
                let runner = ProjectionRunner(store: store, projections: ClinicProjections.all(for: store))
                print("")
                let rows = try await runner.states().map { state -> [String] in
                    let condition: String
                    if state.isFailed {
                        condition = "FAILED: \(state.error ?? "")"
                    } else if state.updatedAt == nil {
                        condition = "not built yet (run `stipple project`)"
                    } else if state.storedVersion != state.codeVersion {
                        condition = "code is v\(state.codeVersion): will rebuild"
                    } else {
                        condition = "ok"
                    }
                    return [
                        state.name, "v\(state.storedVersion)", String(state.position), String(head - state.position),
                        condition,
                    ]
                }
                print(
                    TableOutput.render(
                        headers: ["projection", "version", "checkpoint", "lag", "status"], rows: rows, format: .table),
                    terminator: "")
            }
            await pool.close()
        }
    }
}
