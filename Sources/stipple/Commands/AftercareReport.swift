import ArgumentParser
import Foundation
import Projections

/// `stipple report aftercare`: the treatments whose aftercare was not given within a day.
struct AftercareReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aftercare",
        abstract: "Sessions and touch-ups whose aftercare was not given within a day: missing, or given late.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "As of this time (YYYY-MM-DD = its start, or ISO-8601); default now.") var asOf: String?
    @Option(help: "Only treatments performed on or after this day.") var from: String?
    @Option(help: "Only this location id.") var location: String?
    @Option(help: "Only this technician id.") var technician: String?
    @Option(help: "Output format: table, csv or json.") var format: OutputFormat = .table

    func validate() throws {
        for (name, value) in [("--as-of", asOf), ("--from", from)] {
            if let value, (try? DateArgument.parse(value)) == nil {
                throw ValidationError("\(name) '\(value)' is not a date (YYYY-MM-DD or an ISO-8601 time)")
            }
        }
    }

    func run() async throws {
        try await reportingErrors {
            let asOf = try asOf.map { try DateArgument.parse($0) } ?? Date()
            let from = try from.map { try DateArgument.parse($0) }
            let followUps = try await ReadModels.using(database, [TimelineProjection(), AftercareProjection()]) {
                pool in
                try await AftercareQueries(pool: pool).followUps(
                    asOf: asOf, from: from, location: location, technician: technician, limit: 100_000)
            }
            print(Self.render(followUps, format: format), terminator: "")
        }
    }

    static func render(_ followUps: [AftercareFollowUp], format: OutputFormat) -> String {
        let headers = [
            "performed", "status", "given", "kind", "session", "location", "technician", "client", "client_name",
            "appointment_id",
        ]
        let rows = followUps.map { item in
            [
                TableOutput.timestamp(item.performedAt), item.status, TableOutput.timestamp(item.givenAt), item.kind,
                item.sessionNumber.map(String.init) ?? "", item.location, item.technician, item.clientID,
                item.clientName ?? "", item.appointmentID,
            ]
        }
        return TableOutput.render(headers: headers, rows: rows, format: format)
    }
}
