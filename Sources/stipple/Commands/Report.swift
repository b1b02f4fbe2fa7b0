import ArgumentParser
import EventStore
import Foundation
import Projections

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reports from the projections.", subcommands: [RevenueReportCommand.self])
}

extension RevenueGrouping: ExpressibleByArgument {}

struct RevenueReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revenue",
        abstract: "Cash received and earned, refunds and deposits, by day, month, location, technician or service.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "First day, YYYY-MM-DD.") var from: String
    @Option(help: "Last day, YYYY-MM-DD (inclusive).") var to: String
    @Option(help: "Group by day, month, location, technician or service.") var by: RevenueGrouping = .month
    @Option(help: "Output format: table, csv or json.") var format: OutputFormat = .table
    @Option(help: "Read from this schema (an as-of snapshot) instead of the live projection.") var schema = "revenue"

    func validate() throws {
        let first = try DateArgument.day(from)
        let last = try DateArgument.day(to)
        guard first <= last else { throw ValidationError("--from \(from) is after --to \(to)") }
    }

    func run() async throws {
        try await reportingErrors {
            let report = try await ReadModels.using(database, [RevenueProjection()]) { pool in
                try await RevenueQueries.report(from: from, to: to, by: by, schema: schema, pool: pool)
            }
            print(Self.render(report, format: format), terminator: "")
        }
    }

    static func render(_ report: RevenueReport, format: OutputFormat) -> String {
        let rows = report.lines.map { line in
            [
                line.group, line.currency, TableOutput.money(line.cashReceivedMinor, nil),
                TableOutput.money(line.earnedMinor, nil), TableOutput.money(line.refundsMinor, nil),
                TableOutput.money(line.depositsTakenMinor, nil), TableOutput.money(line.depositsAppliedMinor, nil),
                TableOutput.money(line.depositsForfeitedMinor, nil), String(line.services),
            ]
        }
        let headers = [
            report.grouping.rawValue, "currency", "cash received", "earned", "refunds", "deposits taken",
            "deposits applied", "deposits forfeited", "services",
        ]
        var text = TableOutput.render(headers: headers, rows: rows, format: format)
        guard format == .table else { return text }
        text = "Revenue \(report.from) to \(report.to) by \(report.grouping.rawValue)\n\n" + text + "\n"
        for position in report.positions {
            text += "Now: deposits held \(TableOutput.money(position.depositsHeldMinor, position.currency)), "
                + "outstanding \(TableOutput.money(position.outstandingMinor, position.currency)) "
                + "from \(position.clientsOwing) clients\n"
        }
        func percent(_ rate: Double?) -> String { rate.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a" }
        text += "Course completion rate: \(percent(report.courseCompletionRate)); "
            + "touch-up return rate: \(percent(report.touchUpReturnRate))\n"
        return text
    }
}
