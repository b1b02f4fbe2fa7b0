import EventStore
import Foundation
import TestSupport
import Testing

@Suite("stipple generate")
struct GenerateCommandTests {
    @Test("generate appends a history, and the same generate again appends nothing")
    func generateTwiceIsANoOp() async throws {
        try await TestDatabase.with { database in
            let url = database.configuration.connectionString
            let first = try await CLIRunner.run(["generate", "--clients", "5", "--seed", "7", "--database-url", url])
            #expect(first.exitCode == 0, "\(first.standardError)")
            let count = try await database.store.eventCount()
            #expect(count > 50)
            #expect(
                first.standardOutput.contains("generated \(count) events for 5 clients (seed 7): \(count) appended"))
            let before = try await database.eventsFingerprint()

            let second = try await CLIRunner.run(["generate", "--clients", "5", "--seed", "7", "--database-url", url])
            #expect(second.exitCode == 0, "\(second.standardError)")
            #expect(second.standardOutput.contains("0 appended, \(count) already stored"))
            #expect(try await database.eventsFingerprint() == before)
        }
    }

    @Test("the same seed gives the same event ids, streams and data in another database; events carry actor generator")
    func deterministic() async throws {
        let arguments = [
            "generate", "--clients", "3", "--seed", "42", "--until", "2021-06-30", "--chunk-size", "37",
            "--exact-order",
        ]
        let exports = try await [0, 1].asyncMap { _ in
            try await TestDatabase.with { database in
                let url = database.configuration.connectionString
                let run = try await CLIRunner.run(arguments + ["--database-url", url])
                #expect(run.exitCode == 0, "\(run.standardError)")
                let export = try await CLIRunner.run(["export", "--database-url", url])
                return try parseEventLines(export.standardOutput)
            }
        }
        #expect(exports[0].count > 10)
        #expect(exports[0].map(\.identity) == exports[1].map(\.identity))
        #expect(exports[0].allSatisfy { $0.actor == "generator" })
        // Each run has its own correlation id, which idempotency ignores.
        #expect(exports[0].first?.correlationID != exports[1].first?.correlationID)
        // With --exact-order the log is in the generator's order: business time never goes back.
        let times = exports[0].compactMap(\.businessTime)
        #expect(times.count == exports[0].count)
        #expect(times == times.sorted())
    }

    @Test("another history under the same seed is refused with advice, leaving the store as it was")
    func conflictingHistory() async throws {
        try await TestDatabase.with { database in
            let url = database.configuration.connectionString
            let first = try await CLIRunner.run(["generate", "--clients", "4", "--seed", "9", "--database-url", url])
            #expect(first.exitCode == 0, "\(first.standardError)")
            let before = try await database.eventsFingerprint()
            let other = try await CLIRunner.run([
                "generate", "--clients", "4", "--seed", "9", "--locations", "3", "--technicians-per-location", "5",
                "--database-url", url,
            ])
            #expect(other.exitCode == 1)
            #expect(other.standardError.hasPrefix("stipple: error: "))
            #expect(other.standardError.contains("another history generated with seed 9"))
            #expect(try await database.eventsFingerprint() == before)
        }
    }

    @Test("progress is written to stderr as plain lines when stderr is not a terminal")
    func plainProgress() async throws {
        try await TestDatabase.with { database in
            let run = try await CLIRunner.run(
                [
                    "generate", "--clients", "5", "--seed", "3", "--chunk-size", "50", "--database-url",
                    database.configuration.connectionString,
                ],
                environment: ["STIPPLE_PROGRESS_INTERVAL": "0"])
            #expect(run.exitCode == 0, "\(run.standardError)")
            let lines = run.standardError.split(separator: "\n")
            #expect(lines.count >= 2)
            #expect(lines.allSatisfy { $0.hasPrefix("generate: ") && $0.contains("events/s") })
            #expect(!run.standardError.contains("\u{1B}"))
            #expect(lines.last?.contains("100%") == true)
        }
    }

    @Test("bad options are refused before touching the database")
    func badOptions() async throws {
        let date = try await CLIRunner.run(["generate", "--clients", "5", "--seed", "1", "--until", "2024-13-01"])
        #expect(date.exitCode != 0)
        #expect(date.standardError.contains("--until must be a date YYYY-MM-DD"))
        let missing = try await CLIRunner.run(["generate", "--clients", "5"])
        #expect(missing.exitCode != 0)
        #expect(missing.standardError.contains("--seed"))
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
