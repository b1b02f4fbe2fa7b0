import EventStore
import Foundation
import TestSupport
import Testing

@Suite("stipple settings")
struct SettingsCommandTests {
    func run(_ database: TestDatabase, _ arguments: [String]) async throws -> CLIRun {
        try await CLIRunner.run(arguments + ["--database-url", database.configuration.connectionString])
    }

    @Test("set records settings.changed with who and why; show prints the values in force and every change")
    func setAndShow() async throws {
        try await TestDatabase.with { database in
            let set = try await run(
                database,
                [
                    "settings", "set", "--minimum-age", "21", "--deposit-percent", "10", "--by", "Dana", "--reason",
                    "Insurer",
                ])
            #expect(set.exitCode == 0, "\(set.standardError)")
            #expect(
                set.standardOutput.contains("recorded minimum age 21, deposit 10% of the course price for the clinic"))
            let stored = try await database.store.readWholeStream(try EventStreamName("settings-clinic"))
            #expect(stored.map(\.type) == ["settings.changed"])
            let data = try #require(try JSONSerialization.jsonObject(with: stored[0].data) as? [String: Any])
            let values = try #require(data["settings"] as? [String: Any])
            #expect(values["minimumAge"] as? Int == 21)
            #expect((values["depositPolicy"] as? [String: Any])?["percentOfPrice"] as? Int == 10)
            #expect(data["changedBy"] as? String == "Dana" && data["reason"] as? String == "Insurer")

            let refused = try await run(
                database, ["settings", "set", "--minimum-age", "12", "--by", "Dana", "--reason", "x"])
            #expect(refused.exitCode == 1)
            #expect(refused.standardError.contains("settings.minimumAge is invalid: must be 16–30, not 12"))

            let show = try await run(database, ["settings", "show", "--format", "csv"])
            #expect(show.exitCode == 0, "\(show.standardError)")
            #expect(show.standardOutput.contains("clinic,21,10,12,48,10,deposit 10% of the course price"))
        }
    }

    @Test("publish-form records the SHA-256 of the file's bytes; a version published twice is refused")
    func publishForm() async throws {
        try await TestDatabase.with { database in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("form-\(UUID().uuidString).txt")
            defer { try? FileManager.default.removeItem(at: file) }
            try Data("abc".utf8).write(to: file)
            let arguments = [
                "settings", "publish-form", "--form-version", "2026-01", "--file", file.path, "--scopes", "treatment",
                "clinical-photos", "--requires-reconsent", "--by", "Dana", "--reason", "New aftercare duties",
            ]
            let published = try await run(database, arguments)
            #expect(published.exitCode == 0, "\(published.standardError)")
            // SHA-256 of "abc".
            let hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            #expect(published.standardOutput.contains("published consent form 2026-01 (sha256 \(hash))"))
            let again = try await run(database, arguments)
            #expect(again.exitCode == 1)
            #expect(again.standardError.contains("version 2026-01 is already published"))
            let show = try await run(database, ["settings", "show"])
            #expect(show.standardOutput.contains("2026-01  published"))
            #expect(show.standardOutput.contains("re-consent required"))
        }
    }
}
