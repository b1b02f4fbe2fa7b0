/// What the technician found on the scalp at a consultation.
public struct ScalpAssessment: Hashable, Sendable, Codable {
    /// Hair-loss stage.
    public var hairLoss: HairLossStage
    /// Pattern in words, e.g. "receding temples, thinning crown".
    public var pattern: String
    /// Skin tone on the Fitzpatrick scale.
    public var skinTone: FitzpatrickType
    /// Natural hair colour, e.g. "dark brown".
    public var naturalHairColour: String

    /// Creates an assessment.
    public init(hairLoss: HairLossStage, pattern: String, skinTone: FitzpatrickType, naturalHairColour: String) {
        self.hairLoss = hairLoss
        self.pattern = pattern
        self.skinTone = skinTone
        self.naturalHairColour = naturalHairColour
    }
}
