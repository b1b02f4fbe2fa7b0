import ClinicService
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shows the progress of long work (generate, import, rebuild) on standard error.
///
/// On a terminal it redraws one line in place: a bar (when the fraction done is known), the count,
/// the rate and an estimate of the time left. Anywhere else (a pipe, a log file, CI) it writes a
/// plain line every couple of seconds, so logs stay readable. `STIPPLE_PROGRESS=off|plain|tty`
/// overrides the choice and `STIPPLE_PROGRESS_INTERVAL` (seconds) the plain interval.
///
/// Use it from one task: `update` as work advances (cheap; it draws only when due), `finish` at
/// the end. It never writes to standard output, so it cannot mix with a command's data.
final class ProgressReporter {
    /// How progress is shown.
    enum Style: Sendable, Equatable {
        /// Redrawn in place on a terminal.
        case interactive
        /// A plain line every `interval`.
        case plain(interval: Duration)
        /// Nothing.
        case off
    }

    let label: String
    let unit: String
    /// The amount of work in `unit`s, when known; gives the bar and the ETA when no fraction is passed.
    var total: Int?
    let style: Style

    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant
    private var drewInteractiveLine = false

    /// Creates a reporter; `style` defaults to interactive on a terminal, plain otherwise.
    init(_ label: String, unit: String = "events", total: Int? = nil, style: Style? = nil) {
        self.label = label
        self.unit = unit
        self.total = total
        self.style = style ?? Self.defaultStyle()
        started = clock.now
        lastDrawn = started
    }

    /// The style for standard error: the environment's choice, else interactive on a terminal.
    static func defaultStyle(environment: [String: String] = ProcessInfo.processInfo.environment) -> Style {
        let interval =
            environment["STIPPLE_PROGRESS_INTERVAL"].flatMap(Double.init).map { Duration.seconds($0) }
            ?? .seconds(2)
        switch environment["STIPPLE_PROGRESS"] {
        case "off": return .off
        case "plain": return .plain(interval: interval)
        case "tty": return .interactive
        default: return isatty(2) == 1 ? .interactive : .plain(interval: interval)
        }
    }

    /// Seconds since the reporter was created.
    var elapsedSeconds: Double { (clock.now - started).inSeconds }

    /// Reports `completed` units done; `fraction` (0–1) overrides `completed / total` for the bar and ETA.
    func update(_ completed: Int, fraction: Double? = nil) {
        let now = clock.now
        switch style {
        case .off:
            return
        case .interactive:
            guard now - lastDrawn >= .milliseconds(100) else { return }
        case .plain(let interval):
            guard now - lastDrawn >= interval else { return }
        }
        lastDrawn = now
        draw(completed, fraction: fraction, final: false)
    }

    /// Ends the report: on a terminal the line is redrawn complete and ended; plain output gets a last line
    /// only when it wrote any before (short work stays silent).
    func finish(_ completed: Int) {
        switch style {
        case .off: return
        case .interactive: draw(completed, fraction: 1, final: true)
        case .plain: if lastDrawn != started { draw(completed, fraction: 1, final: true) }
        }
    }

    /// Clears an interactive line (before printing an error, say).
    func clear() {
        guard style == .interactive, drewInteractiveLine else { return }
        write("\r\u{1B}[2K")
        drewInteractiveLine = false
    }

    private func draw(_ completed: Int, fraction: Double?, final: Bool) {
        let elapsed = elapsedSeconds
        let rate = elapsed > 0 ? Double(completed) / elapsed : 0
        let done = (fraction ?? total.map { $0 > 0 ? Double(completed) / Double($0) : 1 }).map { min(1, max(0, $0)) }
        var parts: [String] = []
        if style == .interactive, let done { parts.append(Self.bar(done)) }
        if let done { parts.append(String(format: "%3.0f%%", done * 100)) }
        let count = total.map { "\(Self.grouped(completed))/\(Self.grouped($0))" } ?? Self.grouped(completed)
        parts.append("\(count) \(unit)")
        parts.append("\(Self.grouped(Int(rate.rounded()))) \(unit)/s")
        if final {
            parts.append("in \(Self.duration(elapsed))")
        } else if let done, done > 0.001, elapsed > 0.5 {
            parts.append("ETA \(Self.duration(elapsed * (1 - done) / done))")
        }
        let text = "\(label): " + parts.joined(separator: "  ")
        if style == .interactive {
            write("\r\u{1B}[2K" + text + (final ? "\n" : ""))
            drewInteractiveLine = !final
        } else {
            write(text + "\n")
        }
    }

    private func write(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    // MARK: - Formatting

    /// `[#########---------------]`, 24 cells.
    static func bar(_ fraction: Double, width: Int = 24) -> String {
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }

    /// 1234567 → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// `0.4s`, `12s`, `3m05s`, `1h02m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        if seconds < 10 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return String(format: "%ldm%02lds", whole / 60, whole % 60) }
        return String(format: "%ldh%02ldm", whole / 3600, whole % 3600 / 60)
    }
}
