import ArgumentParser
import EventStore
import Foundation

extension Audit {
    struct Seal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the current head of the chain in the log and print it for keeping outside.",
            discussion: """
                Verifies the chain first (unless --no-verify) and refuses to seal a tampered log. \
                Keep the printed POSITION:HASH somewhere the database's administrators cannot \
                write; `stipple audit verify --against POSITION:HASH` checks the log still holds it.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Who seals (default: $USER).")
        var actor: String?

        @Option(help: "Why, kept in the seal's metadata.")
        var reason: String?

        @Flag(name: .customLong("no-verify"), help: "Seal without verifying the chain first.")
        var skipVerification = false

        func run() async throws {
            var tampered = false
            try await reportingErrors {
                let pool = try database.pool(maximumConnections: 2)
                if !skipVerification {
                    let report = try await ChainVerifier(pool: pool).verify()
                    guard report.isIntact else {
                        tampered = true
                        print(Audit.Verify.render(report))
                        print("not sealed: the log does not verify")
                        await pool.close()
                        return
                    }
                }
                let who = actor ?? ProcessInfo.processInfo.environment["USER"] ?? "stipple-cli"
                let seal = try await ChainSealer(store: database.store(pool)).seal(actor: who, reason: reason)
                await pool.close()
                print("sealed position \(seal.sealed.position) hash \(seal.sealed.hex)")
                print(
                    "(seal event at position \(seal.sealEventPosition)); keep this outside the clinic and check with:")
                print("stipple audit verify --against \(seal.sealed)")
            }
            if tampered { throw ExitCode(Audit.tamperedExitCode) }
        }
    }
}
