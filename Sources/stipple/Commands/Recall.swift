import ArgumentParser
import Clinic
import EventStore
import Foundation
import Postgres
import Projections

struct Recall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a pigment batch, every session and touch-up it was used in, and the clients to contact.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The pigment batch number, e.g. DB-91024110.")
    var batch: String

    @Option(help: "table (for people), csv or json (one row per use).")
    var format: OutputFormat = .table

    func run() async throws {
        try await reportingErrors {
            guard let number = PigmentBatchNumber(batch) else {
                throw UserError("'\(batch)' is not a batch number: use letters, digits, '.', '_' or '-' (1–64)")
            }
            let report = try await ReadModels.using(database, [TimelineProjection(), TraceabilityProjection()]) {
                try await RecallQueries(pool: $0).recall(batch: number.rawValue)
            }
            guard let report else {
                throw UserError("unknown pigment batch \(number.rawValue): it was never received or used")
            }
            print(Self.render(report, format: format), terminator: "")
        }
    }

    static func render(_ report: RecallReport, format: OutputFormat) -> String {
        let recalled = report.recalledAt.map { "\(TableOutput.day($0)): \(report.recallReason ?? "")" } ?? "no"
        func name(_ id: String) -> String { report.clients.first { $0.clientID == id }?.name ?? "" }
        switch format {
        case .table:
            var out = TableOutput.keyValues([
                ("Batch", report.batchNumber), ("Product", report.product ?? "(unknown)"),
                ("Expires", report.expiresOn ?? "(unknown)"), ("Supplier", report.supplier ?? "(unknown)"),
                ("Received", report.receivedAt.map(TableOutput.day) ?? "(not recorded)"), ("Recalled", recalled),
            ])
            out += "\nUses (\(report.uses.count))\n"
            out += TableOutput.render(
                headers: ["performed", "kind", "client", "name", "technician", "location", "appointment"],
                rows: report.uses.map { use in
                    [
                        TableOutput.timestamp(use.performedAt), use.sessionNumber.map { "session \($0)" } ?? use.kind,
                        use.clientID, name(use.clientID), use.technician, use.location, use.appointmentID,
                    ]
                }, format: .table)
            out += "\nClients to contact (\(report.clients.count))\n"
            out += TableOutput.render(
                headers: ["client", "name", "uses", "first use", "last use"],
                rows: report.clients.map { client in
                    [
                        client.clientID, client.name ?? "", String(client.uses), TableOutput.day(client.firstUse),
                        TableOutput.day(client.lastUse),
                    ]
                }, format: .table)
            return out
        case .csv, .json:
            let headers = [
                "batch", "product", "expires_on", "supplier", "received_on", "recalled_on", "recall_reason",
                "performed_at", "kind", "session_number", "client_id", "client_name", "technician", "location",
                "appointment_id",
            ]
            let rows = report.uses.map { use in
                [
                    report.batchNumber, report.product ?? "", report.expiresOn ?? "", report.supplier ?? "",
                    TableOutput.day(report.receivedAt), TableOutput.day(report.recalledAt), report.recallReason ?? "",
                    TableOutput.timestamp(use.performedAt), use.kind, use.sessionNumber.map(String.init) ?? "",
                    use.clientID, name(use.clientID), use.technician, use.location, use.appointmentID,
                ]
            }
            return TableOutput.render(headers: headers, rows: rows, format: format)
        }
    }
}
