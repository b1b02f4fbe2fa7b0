import Foundation

/// A `ProgressReporter` that callbacks from other tasks (the projection runner's) may update.
final class SharedProgress: @unchecked Sendable {
    // @unchecked: every access to `reporter` holds `lock`.
    private let lock = NSLock()
    private let reporter: ProgressReporter

    init(_ label: String, unit: String = "events") {
        reporter = ProgressReporter(label, unit: unit)
    }

    func update(done: Int, total: Int) {
        lock.withLock {
            reporter.total = total
            reporter.update(done)
        }
    }

    func finish(_ done: Int) {
        lock.withLock { reporter.finish(done) }
    }
}
