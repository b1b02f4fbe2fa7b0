import Foundation

/// A consultation took place: assessment, design, shade, density, plan size and quote.
public struct ConsultationHeld: EventPayload {
    /// `client.consultation-held`.
    public static let typeName = "client.consultation-held"
    /// The current schema version.
    public static let schemaVersion = 2

    /// When it happened, in business time.
    public var at: Date
    /// The appointment.
    public var appointmentID: AppointmentID
    /// Scalp assessment and hair-loss pattern, skin tone, natural hair colour.
    public var assessment: ScalpAssessment
    /// Hairline design.
    public var design: HairlineDesign
    /// Chosen pigment shade.
    public var chosenShade: String
    /// Target dot density, 0–1.
    public var targetDensity: Double
    /// Size of the area to treat.
    public var treatedAreaSquareCentimetres: Int
    /// Number of sessions proposed.
    public var sessionsPlanned: Int
    /// Price quoted for the course.
    public var quotedPrice: Money
    /// The client's goals in their words (personal: sealed with the client's key).
    public var personal: PersonalText

    /// Creates the payload.
    public init(
        at: Date, appointmentID: AppointmentID, assessment: ScalpAssessment, design: HairlineDesign,
        chosenShade: String, targetDensity: Double, treatedAreaSquareCentimetres: Int, sessionsPlanned: Int,
        quotedPrice: Money, statedGoals: String
    ) {
        self.at = at
        self.appointmentID = appointmentID
        self.assessment = assessment
        self.design = design
        self.chosenShade = chosenShade
        self.targetDensity = targetDensity
        self.treatedAreaSquareCentimetres = treatedAreaSquareCentimetres
        self.sessionsPlanned = sessionsPlanned
        self.quotedPrice = quotedPrice
        self.personal = PersonalText(statedGoals)
    }

    /// The client's goals in their words ("(erased)" once the client was forgotten).
    public var statedGoals: String { personal.text }
}
