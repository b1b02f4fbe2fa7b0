/// The one schedule for retrying after connection trouble: 50 ms, doubling, at most 2 s.
///
/// Short at first, so a reader is back within moments of a database restart; capped, so a database
/// that stays away costs one attempt every 2 s per reader.
public struct ReconnectBackoff: Sendable {
    public static let first = Duration.milliseconds(50)
    public static let longest = Duration.seconds(2)

    /// The next wait.
    public private(set) var current = ReconnectBackoff.first

    public init() {}

    /// Back to the first, short wait (after something succeeded).
    public mutating func reset() {
        current = Self.first
    }

    /// Sleeps the current wait (a cancellation ends it early), then doubles it up to the cap.
    public mutating func wait() async {
        try? await Task.sleep(for: current)
        current = min(current * 2, Self.longest)
    }
}
