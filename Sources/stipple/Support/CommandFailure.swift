import ArgumentParser
import Foundation

/// Runs a command body; any error becomes one line on stderr and exit code 1, never a trace.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        FileHandle.standardError.write(Data("stipple: error: \(String(describing: error))\n".utf8))
        throw ExitCode(1)
    }
}

/// A user-facing failure with a message that says what to do.
struct UserError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
