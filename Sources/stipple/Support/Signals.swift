import Logging
import ServiceLifecycle

/// Runs `body` until it ends or SIGINT/SIGTERM arrives, as the one service of a `ServiceGroup`
/// (the same lifecycle as `stipple serve`): a signal starts a graceful shutdown, which cancels
/// `body`; long-running commands end at their next wake-up. A cancellation by signal is a normal
/// end, not an error.
func runUntilSignalled(_ body: @escaping @Sendable () async throws -> Void) async throws {
    // Errors are reported by the command itself; the group's own log lines would only clutter stderr.
    let logger = Logger(label: "stipple.lifecycle", factory: { _ in SwiftLogNoOpLogHandler() })
    let group = ServiceGroup(
        configuration: .init(
            services: [
                .init(service: CommandService(body: body), successTerminationBehavior: .gracefullyShutdownGroup)
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
}

/// A command's long-running work as a service: cancelled on graceful shutdown, ending normally then.
private struct CommandService: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError {
            return
        }
    }
}
