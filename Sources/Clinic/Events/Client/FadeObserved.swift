import Foundation

/// Remaining pigment density was observed. Version 2 has density 0–1 and the method; version 1 (percent) is upcast.
public struct FadeObserved: EventPayload {
    /// `client.fade-observed`.
    public static let typeName = "client.fade-observed"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// Remaining density, 0–1 of the healed result.
    public var density: Double
    /// How it was measured.
    public var method: FadeMeasurementMethod
    /// Self-reported UV exposure since the last observation.
    public var uvExposure: UVExposure?
    /// What the client said about sun, sweating and swimming since the last visit (absent in older events).
    public var compliance: CareCompliance?

    /// Creates the payload.
    public init(
        at: Date, density: Double, method: FadeMeasurementMethod, uvExposure: UVExposure? = nil,
        compliance: CareCompliance? = nil
    ) {
        self.compliance = compliance
        self.at = at
        self.density = density
        self.method = method
        self.uvExposure = uvExposure
    }
}
