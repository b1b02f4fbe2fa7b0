/// What was done in a session or touch-up.
public struct TreatmentRecord: Hashable, Sendable, Codable {
    /// Areas treated.
    public var areasTreated: [ScalpArea]
    /// Needle configuration, e.g. "1RL 0.25 mm".
    public var needleConfiguration: String
    /// Pigment, batch and dilution.
    public var pigment: PigmentUse
    /// Dot density achieved, 0–1 of full coverage.
    public var dotDensity: Double
    /// Duration in minutes.
    public var durationMinutes: Int
    /// Anaesthetic used.
    public var anaesthetic: Anaesthetic

    /// Creates a treatment record.
    public init(
        areasTreated: [ScalpArea], needleConfiguration: String, pigment: PigmentUse, dotDensity: Double,
        durationMinutes: Int, anaesthetic: Anaesthetic
    ) {
        self.areasTreated = areasTreated
        self.needleConfiguration = needleConfiguration
        self.pigment = pigment
        self.dotDensity = dotDensity
        self.durationMinutes = durationMinutes
        self.anaesthetic = anaesthetic
    }
}
