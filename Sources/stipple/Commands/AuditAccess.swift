import ArgumentParser
import ClinicService
import EventStore
import Foundation

extension Audit {
    struct Access: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the access log, newest first: who read which client's records, when, why and how.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Only accesses to this client (its id, or its stream client-<id>).")
        var client: String?

        @Option(help: "Only accesses to this subject (e.g. a stream name).")
        var subject: String?

        @Option(help: "Show at most this many entries (1–10000).")
        var limit: Int = 100

        func validate() throws {
            guard client == nil || subject == nil else { throw ValidationError("give --client or --subject, not both") }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1–10000") }
        }

        func run() async throws {
            try await reportingErrors {
                let pool = try database.pool(maximumConnections: 1)
                let filter = client.map { ClinicPrivacy.accessSubject(client: $0) } ?? subject
                let entries = try await AccessLog(pool: pool).entries(subject: filter, limit: limit)
                await pool.close()
                if entries.isEmpty {
                    print(filter.map { "no recorded access to \($0)" } ?? "the access log is empty")
                    return
                }
                for entry in entries {
                    let reason = entry.reason.map { " reason: \($0)" } ?? ""
                    print(
                        "\(entry.at.formatted(.iso8601))  \(entry.actor)  \(entry.action)  \(entry.subject)  "
                            + "via \(entry.channel.rawValue)\(reason)")
                }
            }
        }
    }
}
