import EventStore
import Foundation
import TestSupport
import Testing

@Suite("stipple export and import")
struct ExportImportCommandTests {
    /// A database with a small generated history; returns its URL.
    private func generate(_ database: TestDatabase, clients: Int = 4, seed: Int = 11) async throws -> String {
        let url = database.configuration.connectionString
        let run = try await CLIRunner.run([
            "generate", "--clients", "\(clients)", "--seed", "\(seed)", "--database-url", url,
        ])
        #expect(run.exitCode == 0, "\(run.standardError)")
        return url
    }

    private func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("stipple-test-\(UUID().uuidString)-\(name)")
    }

    @Test("export then import into an empty database reproduces every event; importing again changes nothing")
    func roundTrip() async throws {
        try await TestDatabase.with { source in
            let sourceURL = try await generate(source)
            let file = temporaryFile("all.jsonl")
            defer { try? FileManager.default.removeItem(at: file) }
            let export = try await CLIRunner.run(["export", "--output", file.path, "--database-url", sourceURL])
            #expect(export.exitCode == 0, "\(export.standardError)")
            let count = try await source.store.eventCount()
            #expect(export.standardError.contains("exported \(count) events to \(file.path)"))
            let lines = try parseEventLines(try String(contentsOf: file, encoding: .utf8))
            #expect(lines.count == Int(count))
            #expect(lines.map(\.position) == Array(1...Int(count)))
            #expect(
                lines.allSatisfy {
                    $0.recordedAt.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"#, options: .regularExpression)
                        != nil
                })

            try await TestDatabase.with { target in
                let targetURL = target.configuration.connectionString
                let first = try await CLIRunner.run(["import", file.path, "--database-url", targetURL])
                #expect(first.exitCode == 0, "\(first.standardError)")
                #expect(first.standardOutput.contains("imported \(count) events"))
                #expect(first.standardOutput.contains("\(count) appended, 0 already stored"))
                #expect(try await target.eventsFingerprint() == source.eventsFingerprint())
                let reexport = try await CLIRunner.run(["export", "--database-url", targetURL])
                #expect(
                    try parseEventLines(reexport.standardOutput).map(\.withoutRecordedAt)
                        == lines.map(\.withoutRecordedAt))

                let again = try await CLIRunner.run(["import", file.path, "--database-url", targetURL])
                #expect(again.exitCode == 0, "\(again.standardError)")
                #expect(again.standardOutput.contains("0 appended, \(count) already stored"))
                #expect(try await target.eventsFingerprint() == source.eventsFingerprint())
            }
        }
    }

    @Test("import reads standard input with -, in small chunks, with the same result")
    func importFromStandardInput() async throws {
        try await TestDatabase.with { source in
            let export = try await CLIRunner.run([
                "export", "--database-url", try await generate(source, clients: 3, seed: 5),
            ])
            #expect(export.exitCode == 0)
            try await TestDatabase.with { target in
                let run = try await CLIRunner.run(
                    ["import", "-", "--chunk-size", "7", "--database-url", target.configuration.connectionString],
                    input: export.standardOutput)
                #expect(run.exitCode == 0, "\(run.standardError)")
                #expect(try await target.eventsFingerprint() == source.eventsFingerprint())
            }
        }
    }

    @Test("a longer export imported over a shorter one appends only the missing events")
    func overlappingImports() async throws {
        try await TestDatabase.with { source in
            let export = try await CLIRunner.run([
                "export", "--database-url", try await generate(source, clients: 3, seed: 8),
            ])
            let lines = export.standardOutput.split(separator: "\n")
            let half = lines.prefix(lines.count / 2).joined(separator: "\n") + "\n"
            try await TestDatabase.with { target in
                let url = target.configuration.connectionString
                let first = try await CLIRunner.run(["import", "-", "--database-url", url], input: half)
                #expect(first.exitCode == 0, "\(first.standardError)")
                let all = try await CLIRunner.run(["import", "-", "--database-url", url], input: export.standardOutput)
                #expect(all.exitCode == 0, "\(all.standardError)")
                #expect(
                    all.standardOutput.contains(
                        "\(lines.count - lines.count / 2) appended, \(lines.count / 2) already stored"))
                #expect(try await target.eventsFingerprint() == source.eventsFingerprint())
            }
        }
    }

    @Test("a bad line N fails with exit 1 and a message naming line N, and nothing is written")
    func badLines() async throws {
        try await TestDatabase.with { source in
            let export = try await CLIRunner.run([
                "export", "--database-url", try await generate(source, clients: 2, seed: 4),
            ])
            var lines = export.standardOutput.split(separator: "\n").map(String.init)
            #expect(lines.count > 12)
            let cases: [(line: Int, replacement: String, message: String)] = [
                (3, #"{"stream": "client-1", "#, "line 3: malformed JSON"),
                (5, lines[4].replacingOccurrences(of: #""type":"#, with: #""kind":"#), "line 5: missing field(s) type"),
                (7, "[1, 2, 3]", "line 7: not a JSON object"),
                (
                    8,
                    lines[7].replacingOccurrences(
                        of: #""schema_version":\d+"#, with: #""schema_version":true"#,
                        options: .regularExpression), "line 8: 'schema_version' must be an integer"
                ),
                (
                    9, lines[8].replacingOccurrences(of: #""data":{"#, with: #""data":"x","was":{"#),
                    "line 9: unknown field 'was'"
                ),
                (
                    10, lines[9].replacingOccurrences(of: #""id":""#, with: #""id":"not-a-uuid"#),
                    "line 10: 'id' must be a UUID"
                ),
                (12, lines[0], "line 12: "),  // repeats line 1: a version that does not follow
            ]
            lines.append("")
            try await TestDatabase.with { target in
                let url = target.configuration.connectionString
                let empty = try await target.eventsFingerprint()
                for bad in cases {
                    var edited = lines
                    edited[bad.line - 1] = bad.replacement
                    let run = try await CLIRunner.run(
                        ["import", "-", "--database-url", url], input: edited.joined(separator: "\n"))
                    #expect(run.exitCode == 1, "line \(bad.line)")
                    #expect(run.standardError.hasPrefix("stipple: error: \(bad.message)"), "\(run.standardError)")
                    #expect(run.standardError.contains("nothing was imported"))
                    #expect(run.standardError.split(separator: "\n").count == 1)
                    #expect(try await target.eventsFingerprint() == empty)
                }
                let missing = try await CLIRunner.run(["import", "/no/such/file.jsonl", "--database-url", url])
                #expect(missing.exitCode == 1)
                #expect(missing.standardError.contains("no such file"))
            }
        }
    }

    @Test("an import that does not continue the streams as stored fails naming the line, leaving whole chunks")
    func conflictingImport() async throws {
        try await TestDatabase.with { source in
            let export = try await CLIRunner.run([
                "export", "--database-url", try await generate(source, clients: 2, seed: 6),
            ])
            try await TestDatabase.with { target in
                let url = target.configuration.connectionString
                let other = try await CLIRunner.run([
                    "generate", "--clients", "2", "--seed", "99", "--database-url", url,
                ])
                #expect(other.exitCode == 0)
                let before = try await target.eventsFingerprint()
                let run = try await CLIRunner.run(["import", "-", "--database-url", url], input: export.standardOutput)
                #expect(run.exitCode == 1)
                #expect(run.standardError.hasPrefix("stipple: error: line "), "\(run.standardError)")
                // The first line already conflicts: the clinic's first stream exists in both histories.
                let firstStream = try #require(try parseEventLines(export.standardOutput).first?.stream)
                #expect(run.standardError.contains("line 1: stream \(firstStream) already holds another event"))
                #expect(run.standardError.contains("nothing was imported"))
                #expect(try await target.eventsFingerprint() == before)
            }
        }
    }

    @Test("export filters by category, by stream and from a position token")
    func filters() async throws {
        try await TestDatabase.with { database in
            let url = try await generate(database, clients: 3, seed: 21)
            let all = try parseEventLines(try await CLIRunner.run(["export", "--database-url", url]).standardOutput)

            let technicians = try await CLIRunner.run(["export", "--category", "technician", "--database-url", url])
            #expect(technicians.exitCode == 0, "\(technicians.standardError)")
            let technicianLines = try parseEventLines(technicians.standardOutput)
            #expect(!technicianLines.isEmpty)
            #expect(technicianLines.map(\.line) == all.filter { $0.stream.hasPrefix("technician-") }.map(\.line))

            let client = try #require(all.first { $0.stream.hasPrefix("client-") }?.stream)
            let stream = try parseEventLines(
                try await CLIRunner.run(["export", "--stream", client, "--page-size", "3", "--database-url", url])
                    .standardOutput)
            #expect(stream.map(\.line) == all.filter { $0.stream == client }.map(\.line))
            #expect(stream.map(\.version) == Array(0..<stream.count))

            let from = try parseEventLines(
                try await CLIRunner.run(["export", "--from", "10", "--page-size", "4", "--database-url", url])
                    .standardOutput)
            #expect(from.map(\.line) == all.dropFirst(10).map(\.line))

            let clientsFrom = try parseEventLines(
                try await CLIRunner.run(["export", "--category", "client", "--from", "50", "--database-url", url])
                    .standardOutput)
            #expect(
                clientsFrom.map(\.line) == all.filter { $0.position > 50 && $0.stream.hasPrefix("client-") }.map(\.line)
            )

            let bad = try await CLIRunner.run([
                "export", "--category", "client", "--stream", client, "--database-url", url,
            ])
            #expect(bad.exitCode != 0)
            let token = try await CLIRunner.run(["export", "--from", "abc", "--database-url", url])
            #expect(token.exitCode != 0)
            #expect(token.standardError.contains("invalid checkpoint token"))
        }
    }
}
