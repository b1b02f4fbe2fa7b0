import EventStore
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `stipple` process left running (e.g. `stipple tail`): read its output as it arrives, then signal it
/// and collect its exit status.
public final class CLIProcess {
    private let process: Process
    private let output = OutputBuffer()
    private let errors = OutputBuffer()

    /// Starts `stipple ARGS` like `CLIRunner.run`, without waiting for it.
    public init(_ arguments: [String], environment extra: [String: String] = [:]) throws {
        process = CLIRunner.makeProcess(arguments, environment: extra)
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        let output = output
        let errors = errors
        outputPipe.fileHandleForReading.readabilityHandler = { output.append($0.availableData) }
        errorPipe.fileHandleForReading.readabilityHandler = { errors.append($0.availableData) }
        try process.run()
    }

    /// Everything printed on stdout so far.
    public var standardOutput: String { output.text }
    /// Everything printed on stderr so far.
    public var standardError: String { errors.text }

    /// The complete stdout lines so far.
    public var lines: [String] {
        let text = standardOutput
        guard let end = text.lastIndex(of: "\n") else { return [] }
        return text[..<end].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Waits until stdout holds at least `count` complete lines (or the timeout passes); returns the lines.
    @discardableResult
    public func waitForLines(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while lines.count < count, ContinuousClock.now < deadline, process.isRunning {
            try await Task.sleep(for: .milliseconds(50))
        }
        return lines
    }

    /// Sends `signal` (SIGTERM by default) and waits for the exit; returns the exit status, or nil when it
    /// had to be killed after `timeout`.
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async throws -> Int32? {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        // Let the readability handlers take the last bytes.
        try await Task.sleep(for: .milliseconds(100))
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Bytes a pipe delivered, shared with its readability handler.
private final class OutputBuffer: Sendable {
    private let data = Mutex(Data())

    func append(_ chunk: Data) {
        data.withLock { $0.append(chunk) }
    }

    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}
