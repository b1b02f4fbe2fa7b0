import EventStore
import Foundation

/// Runs the built `stipple` executable and captures what it prints.
public struct CLIRun: Sendable {
    public var exitCode: Int32
    public var standardOutput: String
    public var standardError: String
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

    /// `run`, blocking the calling thread until the child exits: only for threads of one's own.
    public static func runBlocking(
        _ arguments: [String], environment extra: [String: String] = [:], input: String? = nil
    ) throws -> CLIRun {
        let process = makeProcess(arguments, environment: extra)
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let inputPipe = Pipe()
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inputPipe.fileHandleForWriting.close()
        // Read both pipes before waiting, so a chatty process cannot fill a pipe and block.
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIRun(
            exitCode: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
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
