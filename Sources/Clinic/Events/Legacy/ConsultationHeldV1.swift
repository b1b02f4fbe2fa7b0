import Foundation

/// `client.consultation-held` version 1: the stated goals in the clear.
public struct ConsultationHeldV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    public var at: Date
    public var appointmentID: AppointmentID
    public var assessment: ScalpAssessment
    public var design: HairlineDesign
    public var chosenShade: String
    public var targetDensity: Double
    public var treatedAreaSquareCentimetres: Int
    public var sessionsPlanned: Int
    public var quotedPrice: Money
    public var statedGoals: String

    /// The same consultation with the goals under `personal`.
    public func upcast() -> ConsultationHeld {
        ConsultationHeld(
            at: at, appointmentID: appointmentID, assessment: assessment, design: design, chosenShade: chosenShade,
            targetDensity: targetDensity, treatedAreaSquareCentimetres: treatedAreaSquareCentimetres,
            sessionsPlanned: sessionsPlanned, quotedPrice: quotedPrice, statedGoals: statedGoals)
    }
}
