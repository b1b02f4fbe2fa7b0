import EventStore
import Foundation
import TestSupport
import Testing

/// A tiny clinic, written as the JSON events the command side stores.
enum CLIClinic {
    static let alice = "00000000-0000-4000-8000-0000000000a1"
    static let first = "00000000-0000-4000-8000-000000002001"
    static let second = "00000000-0000-4000-8000-000000002002"

    static let events: [(String, String, Int, String)] = [
        (
            "location-LDN", "location.opened", 1,
            #"{"at":"2024-01-01T00:00:00Z","name":"Stipple London","city":"London","timeZone":"Europe/London","currency":"USD"}"#
        ),
        (
            "technician-T-01", "technician.registered", 1,
            #"{"at":"2024-01-02T00:00:00Z","displayName":"Ana Ruiz","homeLocationID":"LDN"}"#
        ),
        (
            "pigment-DB-100", "pigment.batch-received", 1,
            #"{"at":"2024-01-05T00:00:00Z","product":"Scalp Ink Charcoal","batchNumber":"DB-100","expiresOn":"2026-01-31","supplier":"Pigmentworks"}"#
        ),
        (
            "client-\(alice)", "client.registered", 2,
            #"{"at":"2024-01-10T09:00:00Z","personal":{"fullName":"Alice Able","contact":{"email":"a@example.com"},"dateOfBirth":"1980-06-15"}}"#
        ),
        (
            "client-\(alice)", "client.treatment-plan-agreed", 1,
            #"{"at":"2024-01-10T10:00:00Z","sessionsPlanned":2,"pricing":{"model":"package","price":{"minorUnits":180000,"currency":"USD"}},"depositDue":{"minorUnits":20000,"currency":"USD"}}"#
        ),
        (
            "client-\(alice)", "client.session-booked", 1,
            #"{"at":"2024-02-02T00:00:00Z","appointmentID":"\#(first)","sessionNumber":1,"slot":{"start":"2024-02-10T09:00:00Z","end":"2024-02-10T12:00:00Z"},"locationID":"LDN","technicianID":"T-01"}"#
        ),
        (
            "client-\(alice)", "client.session-performed", 1,
            #"{"at":"2024-02-10T09:00:00Z","appointmentID":"\#(first)","sessionNumber":1,"locationID":"LDN","technicianID":"T-01","treatment":{"areasTreated":["crown"],"needleConfiguration":"1RL","pigment":{"product":"Scalp Ink Charcoal","batchNumber":"DB-100","batchExpiresOn":"2026-01-31","dilution":"Charcoal, 30% diluted"},"dotDensity":0.7,"durationMinutes":180,"anaesthetic":"none"}}"#
        ),
        (
            "client-\(alice)", "client.session-booked", 1,
            #"{"at":"2024-02-11T00:00:00Z","appointmentID":"\#(second)","sessionNumber":2,"slot":{"start":"2024-02-24T09:00:00Z","end":"2024-02-24T12:00:00Z"},"locationID":"LDN","technicianID":"T-01"}"#
        ),
        (
            "client-\(alice)", "client.session-performed", 1,
            #"{"at":"2024-02-24T09:00:00Z","appointmentID":"\#(second)","sessionNumber":2,"locationID":"LDN","technicianID":"T-01","treatment":{"areasTreated":["crown"],"needleConfiguration":"1RL","pigment":{"product":"Scalp Ink Charcoal","batchNumber":"DB-100","batchExpiresOn":"2026-01-31","dilution":"Charcoal, 30% diluted"},"dotDensity":0.7,"durationMinutes":180,"anaesthetic":"none"}}"#
        ),
        (
            "pigment-DB-100", "pigment.batch-recalled", 1,
            #"{"at":"2024-04-01T00:00:00Z","reason":"Contaminated with PAH"}"#
        ),
        (
            "client-\(alice)", "client.fade-observed", 2,
            #"{"at":"2025-04-01T10:00:00Z","density":0.9,"method":"photo-analysis","uvExposure":"high"}"#
        ),
    ]

    static func write(_ database: TestDatabase) async throws {
        for (stream, type, version, json) in events {
            try await database.store.append(
                [NewEvent(type: type, schemaVersion: version, json: json)], to: try EventStreamName(stream),
                expectedVersion: .any)
        }
    }

    static func run(_ database: TestDatabase, _ arguments: [String]) async throws -> CLIRun {
        try await CLIRunner.run(arguments + ["--database-url", database.configuration.connectionString])
    }
}

@Suite("stipple recall, schedule and forecast")
struct ClinicQueryCommandTests {
    @Test("recall prints the batch, its uses and the clients to contact; csv has one row per use")
    func recall() async throws {
        try await TestDatabase.with { database in
            try await CLIClinic.write(database)
            let table = try await CLIClinic.run(database, ["recall", "DB-100"])
            #expect(table.exitCode == 0, "\(table.standardError)")
            let out = table.standardOutput
            #expect(out.contains("Recalled  2024-04-01: Contaminated with PAH"))
            #expect(out.contains("Supplier  Pigmentworks"))
            #expect(out.contains("Uses (2)"))
            #expect(out.contains("2024-02-10T09:00:00Z  session 1  \(CLIClinic.alice)  Alice Able  T-01"))
            #expect(out.contains("Clients to contact (1)"))
            let csv = try await CLIClinic.run(database, ["recall", "DB-100", "--format", "csv"])
            let lines = csv.standardOutput.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.first?.hasPrefix("batch,product,expires_on,supplier,received_on,recalled_on") == true)
            #expect(lines[1].hasPrefix("DB-100,Scalp Ink Charcoal,2026-01-31,Pigmentworks,2024-01-05,2024-04-01,"))
            let json = try await CLIClinic.run(database, ["recall", "DB-100", "--format", "json"])
            let objects = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: String]]
            #expect(objects?.map { $0["client_name"] } == ["Alice Able", "Alice Able"])
        }
    }

    @Test("an unknown or malformed batch, a bad date and a malformed client id are one stderr line and exit 1")
    func badInput() async throws {
        try await TestDatabase.with { database in
            try await CLIClinic.write(database)
            let cases: [([String], String)] = [
                (["recall", "DB-999"], "unknown pigment batch DB-999"),
                (["recall", "no such batch!"], "is not a batch number"),
                (["schedule", "--date", "2024-13-01"], "invalid date '2024-13-01'"),
                (["schedule", "--date", "2024-02-10", "--location", "NYC"], "unknown location 'NYC'"),
                (["forecast", "not-a-uuid"], "is not a client id"),
                (["forecast", "00000000-0000-4000-8000-00000000ffff"], "unknown client"),
                (["forecast", "--due-within", "soon"], "invalid --due-within"),
                (["forecast", "--due-within", "90d", "--as-of", "yesterday"], "invalid date 'yesterday'"),
                (["forecast", "--outlook", "--calibrate"], "give exactly one of"),
            ]
            for (arguments, message) in cases {
                let run = try await CLIClinic.run(database, arguments)
                #expect(run.exitCode == 1, "\(arguments)")
                #expect(run.standardError.hasPrefix("stipple: error: "), "\(arguments)")
                #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)")
                #expect(run.standardError.split(separator: "\n").count == 1, "\(arguments)")
                #expect(run.standardOutput.isEmpty, "\(arguments)")
            }
        }
    }

    @Test("schedule shows a day's appointments with names; json for machines")
    func schedule() async throws {
        try await TestDatabase.with { database in
            try await CLIClinic.write(database)
            let table = try await CLIClinic.run(database, ["schedule", "--date", "2024-02-10"])
            #expect(table.exitCode == 0, "\(table.standardError)")
            let lines = table.standardOutput.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix("starts"))
            #expect(
                lines[2].hasPrefix(
                    "2024-02-10T09:00:00Z  2024-02-10T12:00:00Z  session 1  completed  Stipple London (LDN)  Ana Ruiz (T-01)"
                ))
            let json = try await CLIClinic.run(
                database, ["schedule", "--date", "2024-02-24", "--technician", "T-01", "--format", "json"])
            let objects = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: String]]
            #expect(objects?.count == 1)
            #expect(objects?.first?["client_name"] == "Alice Able")
            #expect(objects?.first?["kind"] == "session 2")
            #expect(objects?.first?["technician_name"] == "Ana Ruiz")
            let empty = try await CLIClinic.run(database, ["schedule", "--date", "2024-02-11", "--format", "csv"])
            #expect(empty.standardOutput.split(separator: "\n").count == 1, "headers only")
        }
    }

    @Test(
        "forecast lists who is due, shows one client with a chart, the outlook, and refuses to calibrate on too little")
    func forecast() async throws {
        try await TestDatabase.with { database in
            try await CLIClinic.write(database)
            let due = try await CLIClinic.run(
                database, ["forecast", "--due-within", "36500d", "--as-of", "2025-01-01", "--format", "csv"])
            #expect(due.exitCode == 0, "\(due.standardError)")
            let lines = due.standardOutput.split(separator: "\n")
            #expect(lines.first == "client,name,due,interval_low,interval_high,last_treatment")
            #expect(lines.count == 2)
            #expect(lines.last?.hasPrefix("\(CLIClinic.alice),Alice Able,") == true)
            #expect(lines.last?.hasSuffix(",2024-02-24") == true)
            let none = try await CLIClinic.run(
                database, ["forecast", "--due-within", "30d", "--as-of", "2025-01-01", "--format", "csv"])
            #expect(none.standardOutput.split(separator: "\n").count == 1)

            let svg = FileManager.default.temporaryDirectory.appendingPathComponent("fade-\(UUID().uuidString).svg")
            defer { try? FileManager.default.removeItem(at: svg) }
            let one = try await CLIClinic.run(database, ["forecast", CLIClinic.alice, "--svg", svg.path])
            #expect(one.exitCode == 0, "\(one.standardError)")
            #expect(one.standardOutput.contains("status             predicted"))
            #expect(one.standardOutput.contains("touch-up price     USD 600.00 (third of plan)"))
            #expect(one.standardOutput.contains("high UV exposure"))
            let asOf = try await CLIClinic.run(
                database, ["forecast", CLIClinic.alice, "--as-of", "2026-01-01", "--format", "json"])
            let object = try JSONSerialization.jsonObject(with: Data(asOf.standardOutput.utf8)) as? [[String: String]]
            #expect(object?.first?["density_on"] == "2026-01-01")
            #expect(object?.first?["price"] == "USD 600.00")
            let document = try String(contentsOf: svg, encoding: .utf8)
            #expect(document.hasPrefix("<?xml") || document.hasPrefix("<svg"))
            // The curve, which the row does not store, sampled again for the chart.
            #expect(document.contains("<polyline class=\"curve\""))

            let outlook = try await CLIClinic.run(database, ["forecast", "--outlook", "--as-of", "2026-01-01"])
            #expect(outlook.exitCode == 0, "\(outlook.standardError)")
            #expect(outlook.standardOutput.contains("2026-01  2026-01-01  USD "))
            #expect(outlook.standardOutput.contains("USD prices: 1 third of plan"))

            let calibrate = try await CLIClinic.run(database, ["forecast", "--calibrate"])
            #expect(calibrate.exitCode == 1)
            #expect(calibrate.standardError.contains("Not enough data to calibrate"))
        }
    }

    @Test("report revenue groups by location and service and prints the period's rates by location")
    func revenueReport() async throws {
        try await TestDatabase.with { database in
            try await CLIClinic.write(database)
            let byLocation = try await CLIClinic.run(
                database, ["report", "revenue", "--from", "2024-01-01", "--to", "2024-12-31", "--by", "location"])
            #expect(byLocation.exitCode == 0, "\(byLocation.standardError)")
            let out = byLocation.standardOutput
            let lines = out.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            // Two sessions of a USD 1,800 package for two, both at LDN with T-01: USD 900 earned each.
            #expect(lines.contains { $0.first == "LDN" && $0.contains("1,800.00") && $0.last == "2" }, "\(out)")
            // The plan was agreed with no consultation and no preferred location: its course is under (none).
            #expect(
                lines.contains {
                    $0 == ["(none)", "1/1", "100.0%", "0/1", "0.0%", "0/0", "n/a", "0/0", "n/a", "0/0", "n/a"]
                }, "\(out)")
            // Session 1 was followed by the booking of session 2 the next day; session 2 by nothing.
            #expect(
                lines.contains {
                    $0 == ["LDN", "0/0", "n/a", "0/0", "n/a", "1/2", "50.0%", "0/2", "0.0%", "0/2", "0.0%"]
                }, "\(out)")
            #expect(out.contains("Course completion rate: 100.0%; touch-up return rate: 0.0%"))

            let byService = try await CLIClinic.run(
                database,
                [
                    "report", "revenue", "--from", "2024-02-01", "--to", "2024-02-29", "--by", "service",
                    "--format", "csv",
                ])
            #expect(byService.exitCode == 0, "\(byService.standardError)")
            let csv = byService.standardOutput.split(separator: "\n")
            #expect(
                csv.first
                    == "service,currency,cash received,earned,refunds,deposits taken,deposits applied,deposits forfeited,services"
            )
            #expect(csv.dropFirst().map(String.init) == ["course session,USD,0.00,\"1,800.00\",0.00,0.00,0.00,0.00,2"])
        }
    }
}
