import ArgumentParser
import ClinicService
import EventStore
import Foundation

/// `stipple tail`: follows the log live, one event a line, until Ctrl-C or SIGTERM.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow the log live: print each event as it commits, until Ctrl-C or SIGTERM.",
        discussion: """
            Without --from it starts at the current head and prints only new events; with --from it first \
            prints every event after that position. --format json prints the lines of `stipple export`.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case json, text
    }

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Only streams of this category.")
    var category: String?

    @Option(help: "Start after this position token (default: the current head).")
    var from: String?

    @Option(help: "json (JSON Lines, like export) or text (one readable line per event).")
    var format: Format = .json

    func validate() throws {
        if let category, !EventStreamName.isValidCategory(category) {
            throw ValidationError("--category must be letters, digits and _ (no '-')")
        }
        if let from { _ = try Checkpoint(token: from) }
    }

    func run() async throws {
        try await reportingErrors {
            let pool = try database.pool(maximumConnections: 2)
            let store = database.store(pool)
            let start: Checkpoint
            if let from {
                start = try Checkpoint(token: from)
            } else {
                start = Checkpoint(position: try await store.headPosition())
            }
            let subscription = store.subscribe(after: start, category: category)
            let format = format
            try await runUntilSignalled {
                for try await event in subscription {
                    let line = EventLine(event)
                    let output = format == .json ? line.encoded() : Data(line.text().utf8)
                    try FileHandle.standardOutput.write(contentsOf: output + Data([0x0A]))
                }
            }
            await pool.close()
        }
    }
}
