/// What is known about a client that may change how fast pigment fades.
///
/// Every field is optional: an unknown value counts as the population average, so it neither
/// speeds up nor slows down the prediction. The number of course sessions is not here: the model
/// takes it from ``FadeSubject/sessions``.
public struct Covariates: Sendable, Codable, Equatable, Hashable {
    /// Self-reported sun exposure.
    public var uvExposure: UVExposure?
    /// Fitzpatrick skin type.
    public var fitzpatrick: FitzpatrickType?
    /// Scalp oiliness.
    public var oiliness: ScalpOiliness?
    /// Age in years at the course (0...120).
    public var age: Double?
    /// Fraction of diluent in the pigment mix, 0 (undiluted) to 1; lighter mixes fade faster.
    public var pigmentDilution: Double?
    /// Radiotherapy or scar tissue in the treated area.
    public var scarring: Bool?
    /// Regular heavy sweating (gym, sport, sauna), as the client reports it at follow-ups.
    public var sweating: Bool?
    /// Regular swimming (pools, sea), as the client reports it at follow-ups.
    public var swimming: Bool?

    /// Creates covariates; leave a field `nil` when it is not known.
    public init(
        uvExposure: UVExposure? = nil,
        fitzpatrick: FitzpatrickType? = nil,
        oiliness: ScalpOiliness? = nil,
        age: Double? = nil,
        pigmentDilution: Double? = nil,
        scarring: Bool? = nil,
        sweating: Bool? = nil,
        swimming: Bool? = nil
    ) {
        self.sweating = sweating
        self.swimming = swimming
        self.uvExposure = uvExposure
        self.fitzpatrick = fitzpatrick
        self.oiliness = oiliness
        self.age = age
        self.pigmentDilution = pigmentDilution
        self.scarring = scarring
    }
}
