import Foundation

extension TestDatabase {
    /// A plain-text dump of the whole test database (`pg_dump --no-owner`), by the server's own `pg_dump`
    /// (an older client refuses to dump a newer server). Fails the caller's test when `pg_dump` fails.
    public func dump() async throws -> Data {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let candidates = versions.sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin/pg_dump" } + ["/usr/bin/pg_dump"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw DumpFailed(message: "pg_dump not found in /usr/lib/postgresql/*/bin or /usr/bin")
        }
        let run = try await CLIRunner.run(
            URL(fileURLWithPath: path), ["--no-owner", "--dbname", configuration.connectionString])
        guard run.exitCode == 0 else { throw DumpFailed(message: "pg_dump: \(run.standardError)") }
        return run.standardOutputBytes
    }
}

/// `pg_dump` could not dump a test database.
public struct DumpFailed: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
