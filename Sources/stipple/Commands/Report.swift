import ArgumentParser
import EventStore
import Foundation
import Projections

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reports from the projections.",
        subcommands: [RevenueReportCommand.self, AftercareReportCommand.self])
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
    @Option(help: "Answer from the records as they stood at this time (events recorded by then).") var knownAt: String?
    @Option(help: "Answer what was true at this time (events whose own business time is on or before it).")
    var effectiveAt: String?

    func validate() throws {
        let first = try DateArgument.day(from)
        let last = try DateArgument.day(to)
        guard first <= last else { throw ValidationError("--from \(from) is after --to \(to)") }
        for (name, value) in [("--known-at", knownAt), ("--effective-at", effectiveAt)] {
            if let value, (try? DateArgument.parse(value, endOfDay: true)) == nil {
                throw ValidationError("\(name) '\(value)' is not a date (YYYY-MM-DD or an ISO-8601 time)")
            }
        }
        if (knownAt != nil || effectiveAt != nil) && schema != "revenue" {
            throw ValidationError(
                "--schema reads a snapshot already built; --known-at/--effective-at build one: give one")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let question = AsOfQuestion(
                knownAt: try knownAt.map { try DateArgument.parse($0, endOfDay: true) },
                effectiveAt: try effectiveAt.map { try DateArgument.parse($0, endOfDay: true) })
            let (report, asked): (RevenueReport, String) = try await ReadModels.using(database, [RevenueProjection()]) {
                pool in
                if !question.isLive {
                    return try await AsOfBuild.withScratchSnapshot(
                        question, projections: [RevenueProjection()], store: database.store(pool), pool: pool
                    ) { scratch, position in
                        (
                            try await RevenueQueries.report(from: from, to: to, by: by, schema: scratch, pool: pool),
                            question.describe(position: position)
                        )
                    }
                }
                let report = try await RevenueQueries.report(from: from, to: to, by: by, schema: schema, pool: pool)
                if let snapshot = try await Snapshots.record(schema: schema, pool: pool) {
                    return (report, "from snapshot \(schema), \(snapshot.description)")
                }
                return (report, "live, from every event recorded")
            }
            if format != .table { FileHandle.standardError.write(Data("stipple: revenue \(asked)\n".utf8)) }
            print(Self.render(report, format: format, asked: asked), terminator: "")
        }
    }

    static func render(_ report: RevenueReport, format: OutputFormat, asked: String? = nil) -> String {
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
        text =
            "Revenue \(report.from) to \(report.to) by \(report.grouping.rawValue)"
            + (asked.map { ", \($0)" } ?? "") + "\n\n" + text + "\n"
        for position in report.positions {
            text +=
                "Now: deposits held \(TableOutput.money(position.depositsHeldMinor, position.currency)), "
                + "outstanding \(TableOutput.money(position.outstandingMinor, position.currency)) "
                + "from \(position.clientsOwing) clients\n"
        }
        func percent(_ rate: Double?) -> String { rate.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a" }
        func part(_ count: Int, of whole: Int, _ rate: Double?) -> String { "\(count)/\(whole) \(percent(rate))" }
        text +=
            "\nWithin \(report.from) to \(report.to): courses by the day their plan was agreed, completed by "
            + "\(report.to); courses completed in the period, back for a touch-up by \(report.to); treatments in the "
            + "period, rebooked within 90 days; appointments by their day, missed or cancelled late (inside the "
            + "cancellation window)\n\n"
        let rateRows = report.rates.map { rates in
            [
                rates.group, part(rates.coursesCompleted, of: rates.coursesStarted, rates.courseCompletionRate),
                part(rates.touchUpReturns, of: rates.coursesFinished, rates.touchUpReturnRate),
                part(rates.rebookedWithin90Days, of: rates.treatments, rates.rebookingRate),
                part(rates.noShows, of: rates.appointmentsDue, rates.noShowRate),
                part(rates.lateCancellations, of: rates.appointmentsDue, rates.lateCancellationRate),
            ]
        }
        text += TableOutput.render(
            headers: [
                report.grouping == .location || report.grouping == .technician ? report.grouping.rawValue : "group",
                "course completion", "touch-up return", "90-day rebooking", "no-shows", "late cancellations",
            ], rows: rateRows, format: .table)
        text +=
            "\nCourse completion rate: \(percent(report.courseCompletionRate)); "
            + "touch-up return rate: \(percent(report.touchUpReturnRate))\n"
        return text
    }
}
