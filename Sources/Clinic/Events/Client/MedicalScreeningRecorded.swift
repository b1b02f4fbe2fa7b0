import Foundation

/// A medical screening was recorded before treatment.
public struct MedicalScreeningRecorded: EventPayload {
    /// `client.medical-screening-recorded`.
    public static let typeName = "client.medical-screening-recorded"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Fitzpatrick skin type.
    public var fitzpatrick: FitzpatrickType
    /// Norwood or Ludwig stage.
    public var hairLoss: HairLossStage
    /// How oily the scalp is.
    public var scalpOiliness: ScalpOiliness
    /// Contraindications found (empty when none).
    public var contraindications: [Contraindication]
    /// Who recorded it.
    public var recordedBy: TechnicianID?
    /// Medications and free-text notes (personal data).
    public var personal: ScreeningPersonal

    /// Creates the payload.
    public init(
        at: Date, fitzpatrick: FitzpatrickType, hairLoss: HairLossStage, scalpOiliness: ScalpOiliness,
        contraindications: [Contraindication], recordedBy: TechnicianID? = nil, personal: ScreeningPersonal
    ) {
        self.at = at
        self.fitzpatrick = fitzpatrick
        self.hairLoss = hairLoss
        self.scalpOiliness = scalpOiliness
        self.contraindications = contraindications
        self.recordedBy = recordedBy
        self.personal = personal
    }
}
