import ArgumentParser
import ClinicService
import EventStore
import Foundation
import Projections

struct Timeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a client's history in order, with the balance and the next appointment.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The client's id (a UUID).") var client: String
    @Option(help: "Output format: table, csv or json.") var format: OutputFormat = .table
    @Option(help: "Read from this schema (an as-of snapshot) instead of the live projection.") var schema = "timeline"
    @OptionGroup var access: AccessOptions

    func validate() throws {
        guard UUID(uuidString: client) != nil else { throw ValidationError("'\(client)' is not a client id (a UUID)") }
    }

    func run() async throws {
        try await reportingErrors {
            guard let id = UUID(uuidString: client) else { throw UserError("'\(client)' is not a client id") }
            let timeline = try await ReadModels.using(database, [TimelineProjection()]) { pool in
                try await access.record(
                    "timeline.read", subject: ClinicPrivacy.accessSubject(client: id.uuidString.lowercased()),
                    pool: pool)
                return try await TimelineQueries.timeline(client: id, schema: schema, store: database.store(pool))
            }
            guard let timeline else { throw UserError("no client \(client.lowercased()) in the timeline") }
            print(Self.render(timeline, format: format), terminator: "")
        }
    }

    static func render(_ timeline: ClientTimeline, format: OutputFormat) -> String {
        let rows = timeline.entries.map { [DateArgument.iso($0.at), $0.kind, $0.summary] }
        let table = TableOutput.render(headers: ["at", "kind", "what happened"], rows: rows, format: format)
        guard format == .table else { return table }
        let name = timeline.erased ? "(erased at the client's request)" : timeline.displayName ?? "(no name)"
        let next =
            timeline.nextAppointmentAt.map { "\(DateArgument.iso($0)) (\(timeline.nextAppointmentKind ?? ""))" }
            ?? "none"
        var header = "Client \(timeline.clientID.uuidString.lowercased()): \(name)\n"
        header += "Sessions performed: \(timeline.sessionsPerformed), touch-ups: \(timeline.touchUpsPerformed)\n"
        header +=
            "Paid \(TableOutput.money(timeline.paidMinor, timeline.currency)), refunded "
            + "\(TableOutput.money(timeline.refundedMinor, timeline.currency)), balance due "
            + "\(TableOutput.money(timeline.balanceMinor, timeline.currency))\n"
        header += "Next appointment: \(next)\n\n"
        return header + table
    }
}
