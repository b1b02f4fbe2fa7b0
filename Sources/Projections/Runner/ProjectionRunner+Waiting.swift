import Foundation

/// Reading where the projections stand, for readers that need the read models to include an event (a form that
/// shows its result next, a live page that resumes from what it showed).
extension ProjectionRunner {
    /// The position the projection `name` has applied the log up to (nil when it has no checkpoint yet).
    public func position(of name: String) async throws -> Int64? {
        try await states().first { $0.name == name && $0.updatedAt != nil }?.position
    }

    /// Waits until each projection in `names` has applied the log up to `position` (or stopped on a poison event,
    /// which it will not get past), checking its checkpoint every `interval` for at most `timeout`. Returns
    /// whether they got there; false also when the checkpoints cannot be read.
    @discardableResult
    public func wait(
        until position: Int64, for names: Set<String>, timeout: Duration = .seconds(3),
        interval: Duration = .milliseconds(40)
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let states = try? await states() else { return false }
            if states.filter({ names.contains($0.name) }).allSatisfy({ $0.position >= position || $0.isFailed }) {
                return true
            }
            guard ContinuousClock.now + interval < deadline else { return false }
            try? await Task.sleep(for: interval)
        }
    }
}
