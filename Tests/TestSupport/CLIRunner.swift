import EventStore
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `stipple` executable and captures what it prints.
public struct CLIRun: Sendable {
    public var exitCode: Int32
    /// Standard output as it came, for byte searches (`standardOutput` replaces invalid UTF-8).
    public var standardOutputBytes: Data
    public var standardError: String

    public var standardOutput: String { String(decoding: standardOutputBytes, as: UTF8.self) }
}

public enum CLIRunner {
    /// The `stipple` binary next to the test bundle (SwiftPM builds it for the CLI tests).
    public static var executable: URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["STIPPLE_EXECUTABLE"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("stipple")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return TestDatabase.repositoryRoot.appendingPathComponent(".build/debug/stipple")
    }

    /// A `stipple ARGS` process, not started: run from the repository root with the test databases' master key
    /// (unless `extra` gives its own, or removes it with an empty value) and no database URL of the caller's.
    static func makeProcess(_ arguments: [String], environment extra: [String: String]) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = TestDatabase.repositoryRoot
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "STIPPLE_DATABASE_URL")
        environment.removeValue(forKey: MasterKey.fileVariable)
        environment[MasterKey.valueVariable] = TestDatabase.testMasterKeyText
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        return process
    }

    /// Runs `stipple ARGS` with extra environment, from the repository root, no terminal attached.
    ///
    /// The child is waited for on a thread of its own: a blocking wait on one of the few threads Swift
    /// concurrency runs the (parallel) tests on would stall every other suite for as long as the child runs
    /// (with two cores, two slow CLI runs stopped all of them, and live tests hit their time limits).
    public static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil)
        async throws -> CLIRun
    {
        try await detached { try runBlocking(arguments, environment: environment, input: input) }
    }

    /// How long one child process may take before it is killed and its test fails with what it printed
    /// (a full suite takes about 75 s on two cores; no single run comes near this).
    public static let timeLimit: Duration = .seconds(240)

    /// Writes to a pipe whose reader has gone fail with EPIPE instead of raising SIGPIPE (set once).
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// `run`, blocking the calling thread until the child exits: only for threads of one's own.
    static func runBlocking(
        _ arguments: [String], environment extra: [String: String] = [:], input: String? = nil
    ) throws -> CLIRun {
        try runBlocking(makeProcess(arguments, environment: extra), input: input)
    }

    /// Runs any executable (e.g. `pg_dump`) the way `run` runs `stipple`: output captured, killed at the limit.
    public static func run(_ executable: URL, _ arguments: [String]) async throws -> CLIRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        return try await detached { try runBlocking(process, input: nil) }
    }

    /// Starts `process` with `input` on its standard input and collects what it prints, blocking this thread.
    static func runBlocking(_ process: Process, input: String?) throws -> CLIRun {
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        try process.run()
        // A child that outlives its limit is killed: the test then fails naming it, instead of hanging.
        let timedOut = Mutex(false)
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem {
            timedOut.withLock { $0 = true }
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(
            deadline: .now() + .seconds(Int(timeLimit.components.seconds)), execute: watchdog)
        // Standard input is written and standard error read on threads of their own while standard output is
        // read here: done one after the other, a child filling one pipe would block while this side waits on
        // another (a large input and a chatty child deadlock each other).
        let errorData = Mutex(Data())
        let sideDone = DispatchSemaphore(value: 0)
        Thread {
            let data = error.fileHandleForReading.readDataToEndOfFile()
            errorData.withLock { $0 = data }
            sideDone.signal()
        }.start()
        // A child that exits before reading all its input must not kill this process with SIGPIPE.
        _ = ignoreBrokenPipes
        let writer = inputPipe.fileHandleForWriting
        Thread {
            if let input { try? writer.write(contentsOf: Data(input.utf8)) }
            try? writer.close()
            sideDone.signal()
        }.start()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        sideDone.wait()
        sideDone.wait()
        process.waitUntilExit()
        watchdog.cancel()
        let run = CLIRun(
            exitCode: process.terminationStatus, standardOutputBytes: outData,
            standardError: String(decoding: errorData.withLock { $0 }, as: UTF8.self))
        if timedOut.withLock({ $0 }) {
            let command = ([process.executableURL?.lastPathComponent ?? "?"] + (process.arguments ?? []))
            throw CLIRunTimedOut(command: command, limit: timeLimit, run: run)
        }
        return run
    }
}

/// A child process killed at `CLIRunner.timeLimit`, with what it printed until then.
public struct CLIRunTimedOut: Error, CustomStringConvertible {
    public var command: [String]
    public var limit: Duration
    public var run: CLIRun

    public var description: String {
        "\(command.joined(separator: " ")) was killed after \(limit); it printed:\n"
            + "\(run.standardOutput.suffix(2000))\n-- stderr --\n\(run.standardError.suffix(4000))"
    }
}

extension CLIRunner {
    /// Runs blocking `work` on a new thread and returns its result.
    public static func detached<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
