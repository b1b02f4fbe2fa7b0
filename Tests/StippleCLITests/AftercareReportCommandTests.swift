import Foundation
import TestSupport
import Testing

@Suite("stipple report aftercare")
struct AftercareReportCommandTests {
    @Test("lists the sessions performed more than a day before --as-of that had no aftercare")
    func missingAftercare() async throws {
        try await TestDatabase.with { database in
            try await CLIClinic.write(database)
            // Alice's two sessions (10 and 24 February 2024, 09:00) were never followed by aftercare.
            let csv = try await CLIClinic.run(
                database, ["report", "aftercare", "--as-of", "2024-03-01", "--format", "csv"])
            #expect(csv.exitCode == 0, "\(csv.standardError)")
            let lines = csv.standardOutput.split(separator: "\n")
            #expect(
                lines.first
                    == "performed,status,given,kind,session,location,technician,client,client_name,appointment_id")
            #expect(
                Array(lines.dropFirst()) == [
                    "2024-02-10T09:00:00Z,missing,,session,1,LDN,T-01,\(CLIClinic.alice),Alice Able,\(CLIClinic.first)",
                    "2024-02-24T09:00:00Z,missing,,session,2,LDN,T-01,\(CLIClinic.alice),Alice Able,\(CLIClinic.second)",
                ])
            // A day and a second after the first session only it is due.
            let early = try await CLIClinic.run(
                database, ["report", "aftercare", "--as-of", "2024-02-11T09:00:01Z", "--format", "json"])
            let objects = try JSONSerialization.jsonObject(with: Data(early.standardOutput.utf8)) as? [[String: String]]
            #expect(objects?.map { $0["appointment_id"] } == [CLIClinic.first])
            let bad = try await CLIClinic.run(database, ["report", "aftercare", "--as-of", "someday"])
            #expect(bad.exitCode != 0)
            #expect(bad.standardError.contains("--as-of 'someday' is not a date"))
        }
    }
}
