import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body` until it ends or SIGINT/SIGTERM arrives; a signal cancels it (long-running
/// commands end at their next wake-up) and, should anything hang, exits a few seconds later.
/// A cancellation by signal is a normal end, not an error.
func runUntilSignalled(_ body: @escaping @Sendable () async throws -> Void) async throws {
    let task = Task { try await body() }
    let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            task.cancel()
            DispatchQueue.global().asyncAfter(deadline: .now() + 4) { exitNow() }
        }
        source.resume()
        return source
    }
    defer { sources.forEach { $0.cancel() } }
    do {
        try await task.value
    } catch is CancellationError {
        return
    }
}

/// Ends the process at once (a free function: inside a command, `exit` names ArgumentParser's).
private func exitNow() -> Never {
    exit(0)
}
