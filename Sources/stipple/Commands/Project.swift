import ArgumentParser
import EventStore
import Foundation
import Projections

struct Project: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring every projection up to date; with --follow, keep them up to date live (woken by NOTIFY).")

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Keep running and apply new events as they are appended, until interrupted.") var follow = false
    @Option(help: "Events per batch (each batch commits with its checkpoint).") var batchSize = ProjectionRunner
        .defaultBatchSize

    func validate() throws {
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1...100000") }
    }

    func run() async throws {
        try await reportingErrors {
            let pool = try database.pool()
            let store = database.store(pool)
            let runner = ProjectionRunner(
                store: store, projections: ClinicProjections.all(for: store), batchSize: batchSize)
            if follow {
                FileHandle.standardError.write(Data("project: following the log; Ctrl-C to stop\n".utf8))
                try await runUntilSignalled { try await runner.follow() }
            } else {
                let applied = try await runner.catchUp()
                print(
                    "Applied \(applied) event-applications; projections are at position \(try await store.headPosition())."
                )
            }
            for state in try await runner.states() where state.isFailed {
                FileHandle.standardError.write(Data("project: \(state.error ?? state.name)\n".utf8))
            }
            await pool.close()
        }
    }
}
