import ArgumentParser
import EventStore
import Foundation
import Postgres

/// Who is reading a client's personal data and why: every such read is written to the
/// append-only access log before anything is shown.
struct AccessOptions: ParsableArguments {
    @Option(help: "Why you are reading this client's records (kept in the access log).") var reason: String?

    /// The operating-system user running the command.
    static var actor: String {
        let environment = ProcessInfo.processInfo.environment
        let user = environment["SUDO_USER"] ?? environment["USER"] ?? environment["LOGNAME"] ?? NSUserName()
        return "os:" + (user.isEmpty ? "unknown" : user)
    }

    func record(_ action: String, subject: String, pool: ConnectionPool) async throws {
        try await AccessLog(pool: pool).record(
            actor: Self.actor, action: action, subject: subject, reason: reason, channel: .cli)
    }
}
