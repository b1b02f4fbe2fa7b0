import Foundation

/// `client.fade-observed` version 1: density as a whole percentage, no measurement method, no UV exposure.
public struct FadeObservedV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    /// When it was observed.
    public var at: Date
    /// Remaining density in percent, 0–100.
    public var densityPercent: Int

    /// Converts percent to 0–1 (clamped) and records the method as a visual estimate, the only method used then.
    public func upcast() -> FadeObserved {
        FadeObserved(at: at, density: Double(min(max(densityPercent, 0), 100)) / 100, method: .visualEstimate)
    }
}
