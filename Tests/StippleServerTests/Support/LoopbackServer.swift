import Logging
import ServiceLifecycle
import Testing

@testable import StippleServer

/// Runs an app on a free loopback port in a service group, hands `body` the port, then shuts down gracefully.
///
/// The app must be configured with port 0 (the kernel picks a free port): tests run in parallel, and two
/// servers asking for the same fixed port would make one of them fail to start.
struct LoopbackServer: Sendable {
    let app: StippleApp
    var logLevel: Logger.Level = .warning

    /// The server stopped before it was listening; `reason` is what its service group ended with.
    struct DidNotStart: Error, CustomStringConvertible {
        let reason: String
        var description: String { "the server stopped before it was listening: \(reason)" }
    }

    /// How long the server may take to shut down gracefully, and then to end once cancelled.
    static let shutdownLimit: Duration = .seconds(30)

    func withServer<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        try #require(app.configuration.port == 0, "a loopback test server binds port 0, not a fixed port")
        let port = Locked<Int?>(nil)
        let ended = Locked<String?>(nil)
        var logger = Logger(label: "stipple.test")
        logger.logLevel = logLevel
        let application = app.buildApplication(logger: logger) { value in port.withLock { $0 = value } }
        // A graceful shutdown waits for open connections; one that never closes (a stream the test left open, a
        // service ignoring shutdown) would hold the test forever. Past the limit the group is cancelled and the
        // test fails naming it, instead of hanging the whole run.
        var configuration = ServiceGroupConfiguration(
            services: [application], gracefulShutdownSignals: [], logger: logger)
        configuration.maximumGracefulShutdownDuration = Self.shutdownLimit
        configuration.maximumCancellationDuration = Self.shutdownLimit
        let group = ServiceGroup(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do {
                    try await group.run()
                    ended.withLock { $0 = "it returned" }
                } catch {
                    ended.withLock { $0 = String(describing: error) }
                    throw error
                }
            }
            var bound: Int?
            // Up to 45 s: under a full parallel test run the server can take long to bind; a server that
            // failed to start (its group ended) fails the test at once with the group's reason.
            for _ in 0..<900 {
                bound = port.value
                if bound != nil { break }
                if let reason = ended.value { throw DidNotStart(reason: reason) }
                try await Task.sleep(for: .milliseconds(50))
            }
            do {
                let value = try await body(try #require(bound))
                let stopping = ContinuousClock.now
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                let took = ContinuousClock.now - stopping
                if took >= Self.shutdownLimit {
                    Issue.record(
                        "the test server did not shut down gracefully within \(Self.shutdownLimit) (took \(took))")
                }
                return value
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }
}
