import ClinicService
import Foundation
import Testing
import TestSupport

@testable import StippleServer

@Suite("stipple keys and stipple serve")
struct KeysCommandTests {
    @Test("keys create prints the key once, list shows it without the secret, revoke disables it")
    func keysLifecycle() async throws {
        try await TestDatabase.with { database in
            let environment = ["STIPPLE_DATABASE_URL": database.configuration.connectionString]
            let created = try await CLIRunner.run(
                ["keys", "create", "--role", "operator", "--name", "front desk"], environment: environment)
            #expect(created.exitCode == 0, "\(created.standardError)")
            let secret = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(secret.hasPrefix("stp_") && secret.count == 68)
            let keys = APIKeyStore(pool: database.pool)
            let key = try #require(try await keys.authenticate(secret: secret))
            #expect(key.role == .operator)
            let listed = try await CLIRunner.run(["keys", "list"], environment: environment)
            #expect(listed.standardOutput.contains("front desk"))
            #expect(!listed.standardOutput.contains(secret))
            let revoked = try await CLIRunner.run(
                ["keys", "revoke", key.id.uuidString.lowercased()], environment: environment)
            #expect(revoked.exitCode == 0)
            #expect(try await keys.authenticate(secret: secret) == nil)
            let badRole = try await CLIRunner.run(
                ["keys", "create", "--role", "wizard", "--name", "x"], environment: environment)
            #expect(badRole.exitCode != 0)
        }
    }

    @Test("serve listens on the port it prints, answers, and exits cleanly on SIGTERM", .timeLimit(.minutes(8)))
    func serveAndTerminate() async throws {
        try await TestDatabase.with { database in
            let environment = ["STIPPLE_DATABASE_URL": database.configuration.connectionString]
            let process = try CLIProcess(["serve", "--host", "127.0.0.1", "--port", "0"], environment: environment)
            let lines = try await process.waitForLines(1)
            let line = try #require(lines.first { $0.hasPrefix("Serving on http://127.0.0.1:") })
            let port = try #require(Int(line.split(separator: ":").last ?? ""))
            let health = try await RawHTTPClient.send(port: port, "GET", "/health")
            #expect(health.status == 200)
            let anonymous = try await RawHTTPClient.send(port: port, "GET", "/v1/events")
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["content-type"] == "application/problem+json")
            let status = try await process.stop(signal: SIGTERM)
            #expect(status == 0, "\(process.standardError)")
        }
    }
}
