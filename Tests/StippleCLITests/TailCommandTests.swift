import EventStore
import Foundation
import TestSupport
import Testing

@Suite("stipple tail")
struct TailCommandTests {
    @Test("tail --from prints the stored events, then new ones as they commit, and ends cleanly on SIGTERM")
    func followsFromToken() async throws {
        try await TestDatabase.with { database in
            let url = database.configuration.connectionString
            for index in 0..<5 {
                try await database.store.append(
                    [NewEvent(type: "thing.happened", json: #"{"n": \#(index)}"#, metadata: .init(actor: "test"))],
                    to: try StreamName("thing-\(index % 2)"), expectedVersion: .any)
            }
            let tail = try CLIProcess(["tail", "--from", "2", "--database-url", url])
            let first = try await tail.waitForLines(3)
            #expect(first.count == 3, "\(tail.standardError)")
            try await database.store.append(
                [NewEvent(type: "thing.later", json: #"{"n": 5}"#)], to: try StreamName("other-1"),
                expectedVersion: .any)
            let all = try await tail.waitForLines(4)
            let status = try await tail.stop(signal: SIGTERM)
            #expect(status == 0, "\(tail.standardError)")
            #expect(tail.standardError.isEmpty)
            let events = try parseEventLines(all.joined(separator: "\n"))
            #expect(events.map(\.position) == [3, 4, 5, 6])
            #expect(events.map(\.type) == ["thing.happened", "thing.happened", "thing.happened", "thing.later"])
            #expect(events[0].data["n"] as? Int == 2)
            #expect(events[0].actor == "test")
            // The same shape as export.
            let export = try await CLIRunner.run(["export", "--from", "2", "--database-url", url])
            #expect(export.standardOutput.split(separator: "\n").map(String.init) == all)
        }
    }

    @Test("tail without --from prints only new events; text format and a category filter; Ctrl-C ends it")
    func textAndCategory() async throws {
        try await TestDatabase.with { database in
            let url = database.configuration.connectionString
            try await database.store.append(
                [NewEvent(type: "thing.old", json: "{}")], to: try StreamName("client-old"), expectedVersion: .any)
            let tail = try CLIProcess(["tail", "--category", "client", "--format", "text", "--database-url", url])
            // The tail starts from the head it reads when it is up, which on a busy machine may be seconds from
            // now: append a pair (another category, then ours) each second until one of ours comes out.
            var lines: [String] = []
            for _ in 0..<30 where lines.isEmpty {
                try await database.store.append(
                    [NewEvent(type: "thing.elsewhere", json: "{}")], to: try StreamName("other-1"),
                    expectedVersion: .any)
                try await database.store.append(
                    [NewEvent(type: "thing.new", json: "{}", metadata: .init(actor: "ann"))],
                    to: try StreamName("client-1"), expectedVersion: .any)
                lines = try await tail.waitForLines(1, timeout: .seconds(1))
            }
            let status = try await tail.stop(signal: SIGINT)
            #expect(status == 0, "\(tail.standardError)")
            // Only new events of the category: never the old client event (#1), never another category's.
            #expect(lines.count >= 1)
            let line = try #require(lines.first)
            #expect(!line.hasPrefix("#1  ") && !line.contains("client-old") && !line.contains("other-1"))
            #expect(line.contains("  client-1@") && line.hasSuffix("  thing.new v1  by ann"))
            #expect(lines.allSatisfy { $0.contains("  client-1@") && $0.hasSuffix("  thing.new v1  by ann") })
        }
    }

    @Test("tail refuses a bad token or category")
    func badInput() async throws {
        let token = try await CLIRunner.run(["tail", "--from", "-3"])
        #expect(token.exitCode != 0)
        let category = try await CLIRunner.run(["tail", "--category", "a-b"])
        #expect(category.exitCode != 0)
        #expect(category.standardError.contains("--category"))
    }
}
