import Logging
import ServiceLifecycle
import Testing

@testable import StippleServer

/// Runs an app on a free loopback port in a service group, hands `body` the port, then shuts down gracefully.
struct LoopbackServer: Sendable {
    let app: StippleApp
    var logLevel: Logger.Level = .warning

    func withServer<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        let port = Locked<Int?>(nil)
        var logger = Logger(label: "stipple.test")
        logger.logLevel = logLevel
        let application = app.buildApplication(logger: logger) { value in port.withLock { $0 = value } }
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: Int?
            // Up to 45 s: under a full parallel test run the server can take long to bind.
            for _ in 0..<900 {
                bound = port.value
                if bound != nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            do {
                let value = try await body(try #require(bound))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }
}
