import Foundation
import Testing
import TestSupport

/// `stipple serve` refuses options out of range before it touches a database, naming the option and what is allowed.
@Suite("serve's options")
struct ServeOptionsTests {
    @Test(
        "bad --otel-endpoint, --webhook-disable-after-failures and --webhook-disable-after-hours are refused with their allowed values"
    )
    func refused() async throws {
        for (arguments, expected) in [
            (["--otel-endpoint", "ftp://collector:4318"], "--otel-endpoint must be an http:// or https:// URL"),
            (["--otel-endpoint", "collector:4318"], "--otel-endpoint must be an http:// or https:// URL"),
            (["--webhook-disable-after-failures", "0"], "--webhook-disable-after-failures must be 1–100000"),
            (["--webhook-disable-after-hours=-1"], "--webhook-disable-after-hours must be 0–8760"),
            (["--webhook-disable-after-hours=9000"], "--webhook-disable-after-hours must be 0–8760"),
        ] {
            let run = try await CLIRunner.run(
                ["serve", "--database-url", "postgresql://nobody@127.0.0.1:1/none"] + arguments)
            #expect(run.exitCode != 0, "\(arguments)")
            #expect(run.standardError.contains(expected), "\(arguments): \(run.standardError)")
        }
    }
}
