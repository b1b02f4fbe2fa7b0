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
                version order, cut-off tail, seal mismatch) and exit code 2.
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
                await pool.close()
                tampered = !report.isIntact
                print(Audit.Verify.render(report))
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
