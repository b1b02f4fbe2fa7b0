import Synchronization

/// A `ProgressReporter` that callbacks from other tasks (the projection runner's) may update.
final class SharedProgress: Sendable {
    private let reporter: Mutex<ProgressReporter>

    init(_ label: String, unit: String = "events") {
        reporter = Mutex(ProgressReporter(label, unit: unit))
    }

    func update(done: Int, total: Int) {
        reporter.withLock { reporter in
            reporter.total = total
            reporter.update(done)
        }
    }

    func finish(_ done: Int) {
        reporter.withLock { $0.finish(done) }
    }
}
