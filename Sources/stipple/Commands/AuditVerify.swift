import ArgumentParser
import EventStore
import Foundation

extension Audit {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every link of the hash chain and report the first tampered position.",
            discussion: """
                Prints "N events verified …, head POSITION:HASH" and exits 0 when the log is intact; \
                otherwise one line per finding (changed content, missing events, broken link, \
                version order, cut-off tail, seal mismatch) and exit code 2. Every run is recorded (when, \
                who, what it found) in chain_verifications, which the console's Audit page shows.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Start at this position (1 checks the whole log).")
        var from: Int64 = 1

        @Option(help: "A seal kept outside, POSITION:HASH as `audit seal` printed it (or just HASH).")
        var against: String?

        @Option(name: .customLong("max-findings"), help: "Stop reading after this many findings.")
        var maximumFindings: Int = 10

        @Option(name: .customLong("page-size"), help: "Events read per query.")
        var pageSize: Int = 5000

        @Option(help: "Who verifies, as recorded with the result (default: $USER).")
        var actor: String?

        func validate() throws {
            guard from >= 1 else { throw ValidationError("--from must be a position of 1 or more") }
            guard maximumFindings >= 1 else { throw ValidationError("--max-findings must be at least 1") }
            guard (1...100_000).contains(pageSize) else { throw ValidationError("--page-size must be 1–100000") }
        }

        func run() async throws {
            var tampered = false
            try await reportingErrors {
                let anchor = try against.map { try ChainAnchor(parsing: $0) }
                let pool = try database.pool(maximumConnections: 1)
                let verifier = ChainVerifier(pool: pool, pageSize: pageSize, maximumFindings: maximumFindings)
                let report = try await verifier.verify(from: from, against: anchor)
                tampered = !report.isIntact
                print(Audit.Verify.render(report))
                // The result is printed whatever happens to its record; a record that could not be written is
                // an error of its own (exit 1 on an intact log).
                let who = actor ?? ProcessInfo.processInfo.environment["USER"] ?? "stipple-cli"
                do {
                    try await ChainVerifications(pool: pool).record(report, anchor: anchor, actor: who, channel: .cli)
                } catch {
                    await pool.close()
                    FileHandle.standardError.write(
                        Data("stipple: error: the verification's result could not be recorded: \(error)\n".utf8))
                    throw ExitCode(tampered ? Audit.tamperedExitCode : 1)
                }
                await pool.close()
            }
            if tampered { throw ExitCode(Audit.tamperedExitCode) }
        }

        static func render(_ report: ChainReport) -> String {
            var lines: [String] = []
            if report.isIntact {
                let rate = report.eventsPerSecond >= 1 ? String(format: " (%.0f events/s)", report.eventsPerSecond) : ""
                lines.append(report.summary + rate)
                if let anchor = report.matchedAnchor, let head = report.head {
                    lines.append(
                        "the seal \(anchor) is in the log, and the chain extends it to position \(head.position)")
                }
                if report.sealsChecked > 0 {
                    lines.append("\(report.sealsChecked) seal(s) recorded in the log match it")
                }
            } else {
                lines += report.findings.map(\.description)
                let first = report.findings.first.map { ", first at position \($0.position)" } ?? ""
                lines.append(
                    "verification FAILED: \(report.findings.count) finding(s)\(first); "
                        + "\(report.checkedCount) events read from position \(report.from)")
            }
            return lines.joined(separator: "\n")
        }
    }
}
