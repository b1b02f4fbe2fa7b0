import ClinicService
import Foundation

/// When a failing webhook is disabled: after `failures` consecutive failed delivery attempts that
/// span at least `period` (both must hold), as the clinic platforms integrators know do it.
///
/// Counting attempts alone would disable a receiver that was down for ten minutes under a short
/// backoff; the time alone would disable one that failed twice a day apart. A success ends the run.
public struct WebhookPolicy: Sendable, Hashable {
    /// Consecutive failed attempts needed (at least 1).
    public var failures: Int
    /// How long the failures must have lasted, from the first of the run to the latest.
    public var period: Duration

    /// 20 failed attempts over at least 24 hours.
    public static let standard = WebhookPolicy(failures: 20, period: .seconds(24 * 3600))

    public init(failures: Int, period: Duration) {
        self.failures = max(1, failures)
        self.period = max(.zero, period)
    }

    /// Why the webhook is to be disabled now, or nil to keep retrying.
    ///
    /// - Parameters:
    ///   - attempts: consecutive failed attempts, the one that just failed included.
    ///   - failingSince: when the first of them was made.
    ///   - now: when the latest one failed.
    ///   - lastError: what the latest one got.
    public func disableReason(attempts: Int, failingSince: Date, now: Date, lastError: String) -> String? {
        let lasted = now.timeIntervalSince(failingSince)
        guard attempts >= failures, lasted >= period.inSeconds else { return nil }
        let since = Date.ISO8601FormatStyle().format(failingSince)
        return "disabled after \(attempts) consecutive failed deliveries over \(Self.hours(lasted)) "
            + "(failing since \(since); the policy is \(failures) over \(Self.hours(period.inSeconds))); "
            + "last error: \(lastError.prefix(300)); re-enable with POST /v1/webhooks/{id}/enable"
    }

    /// `"24 h"`, `"1.5 h"`.
    static func hours(_ seconds: Double) -> String {
        let hours = (seconds / 360).rounded() / 10
        return hours == hours.rounded() ? "\(Int(hours)) h" : "\(hours) h"
    }
}
