import ArgumentParser
import Clinic
import Foundation
import Projections

struct Schedule: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the appointments of one day (UTC), optionally for one location or technician.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The day, YYYY-MM-DD (UTC).")
    var date: String

    @Option(help: "Only this location id.")
    var location: String?

    @Option(help: "Only this technician id.")
    var technician: String?

    @Option(help: "table (for people), csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        try await reportingErrors {
            guard let day = CalendarDay(iso: date) else {
                throw UserError("invalid date '\(date)': use YYYY-MM-DD, e.g. 2026-03-02")
            }
            let appointments = try await ReadModels.using(database, [TimelineProjection(), ScheduleProjection()]) {
                pool in
                let queries = ScheduleQueries(pool: pool)
                if let location, try await !queries.knows(location: location) {
                    throw UserError("unknown location '\(location)'")
                }
                if let technician, try await !queries.knows(technician: technician) {
                    throw UserError("unknown technician '\(technician)'")
                }
                return try await queries.day(starting: day.startDate, location: location, technician: technician)
            }
            print(Self.render(appointments, format: format), terminator: "")
        }
    }

    static func render(_ appointments: [ScheduledAppointment], format: OutputFormat) -> String {
        let people = format == .table
        func named(_ id: String, _ name: String?) -> String {
            guard people else { return id }
            return name.map { "\($0) (\(id))" } ?? id
        }
        var headers = ["starts", "ends", "kind", "status", "location", "technician", "client", "client_name"]
        if !people { headers += ["location_name", "technician_name", "appointment_id"] }
        let rows = appointments.map { item -> [String] in
            var row = [
                TableOutput.timestamp(item.startsAt), TableOutput.timestamp(item.endsAt), item.label, item.status,
                named(item.location, item.locationName), named(item.technician, item.technicianName), item.clientID,
                item.clientName ?? "",
            ]
            if !people { row += [item.locationName ?? "", item.technicianName ?? "", item.appointmentID] }
            return row
        }
        return TableOutput.render(headers: headers, rows: rows, format: format)
    }
}
