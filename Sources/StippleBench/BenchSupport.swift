import Foundation

/// Command-line options as `--name value` pairs and bare `--flag`s; no dependency on an argument parser.
struct BenchOptions: Sendable {
    var values: [String: String] = [:]

    init(_ arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else { throw BenchError.usage("unexpected argument '\(argument)'") }
            let name = String(argument.dropFirst(2))
            if index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") {
                values[name] = arguments[index + 1]
                index += 2
            } else {
                values[name] = "true"
                index += 1
            }
        }
    }

    func string(_ name: String) throws -> String {
        guard let value = values[name] else { throw BenchError.usage("missing --\(name)") }
        return value
    }

    func string(_ name: String, default fallback: String) -> String { values[name] ?? fallback }

    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text) else { throw BenchError.usage("--\(name) must be an integer, got '\(text)'") }
        return value
    }
}

/// Why the bench stopped.
enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case failed(String)

    var description: String {
        switch self {
        case .usage(let message): "usage: \(message)"
        case .failed(let message): message
        }
    }
}

/// Order statistics over samples.
enum Stats {
    /// The value at quantile `q` (nearest rank) of `samples`; 0 when empty.
    static func quantile(_ samples: [Double], _ q: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func median(_ samples: [Double]) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// Prints machine-readable figures for `Scripts/bench.sh` and progress for people.
enum Report {
    /// One figure over several runs: `RESULT key median min max unit`.
    static func figure(_ key: String, _ runs: [Double], unit: String) {
        let line = String(
            format: "RESULT %@ %.3f %.3f %.3f %@", key, Stats.median(runs), runs.min() ?? 0, runs.max() ?? 0, unit)
        print(line)
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("bench: \(message)\n".utf8))
    }
}

/// Seconds elapsed since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Peak resident memory of this process (VmHWM), in MiB, and a reset of it.
enum PeakMemory {
    /// Resets the high-water mark (Linux ≥ 4.0: writing 5 to clear_refs); false when not possible.
    @discardableResult
    static func reset() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// VmHWM in MiB, or 0 when /proc is not there.
    static func megabytes() -> Double {
        kilobytes("VmHWM:") / 1024
    }

    /// Resident memory now (VmRSS), in KiB, or 0 when /proc is not there.
    static func residentKilobytes() -> Double {
        kilobytes("VmRSS:")
    }

    private static func kilobytes(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            let digits = line.split(separator: " ").compactMap { Double($0) }
            if let kilobytes = digits.first { return kilobytes }
        }
        return 0
    }
}
