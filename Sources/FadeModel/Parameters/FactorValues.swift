/// One number per ``FadeFactor``: used for the effects β and for the population-average covariates.
///
/// Values stored before sweating and swimming were factors decode with 0 for them.
public struct FactorValues: Sendable, Codable, Equatable, Hashable {
    /// Value for ``FadeFactor/uvExposure``.
    public var uvExposure: Double
    /// Value for ``FadeFactor/fitzpatrick``.
    public var fitzpatrick: Double
    /// Value for ``FadeFactor/oiliness``.
    public var oiliness: Double
    /// Value for ``FadeFactor/ageDecades``.
    public var ageDecades: Double
    /// Value for ``FadeFactor/pigmentDilution``.
    public var pigmentDilution: Double
    /// Value for ``FadeFactor/sessions``.
    public var sessions: Double
    /// Value for ``FadeFactor/scarring``.
    public var scarring: Double
    /// Value for ``FadeFactor/sweating``.
    public var sweating: Double
    /// Value for ``FadeFactor/swimming``.
    public var swimming: Double

    /// Creates a value set; every factor defaults to 0.
    public init(
        uvExposure: Double = 0, fitzpatrick: Double = 0, oiliness: Double = 0, ageDecades: Double = 0,
        pigmentDilution: Double = 0, sessions: Double = 0, scarring: Double = 0, sweating: Double = 0,
        swimming: Double = 0
    ) {
        self.sweating = sweating
        self.swimming = swimming
        self.uvExposure = uvExposure
        self.fitzpatrick = fitzpatrick
        self.oiliness = oiliness
        self.ageDecades = ageDecades
        self.pigmentDilution = pigmentDilution
        self.sessions = sessions
        self.scarring = scarring
    }

    /// Creates a value set from a vector in ``FadeFactor`` order (missing entries are 0).
    init(vector: [Double]) {
        func at(_ i: Int) -> Double { i < vector.count ? vector[i] : 0 }
        self.init(
            uvExposure: at(0), fitzpatrick: at(1), oiliness: at(2), ageDecades: at(3),
            pigmentDilution: at(4), sessions: at(5), scarring: at(6), sweating: at(7), swimming: at(8)
        )
    }

    /// The value for one factor.
    public subscript(factor: FadeFactor) -> Double {
        get { vector[factor.index] }
        set {
            var v = vector
            v[factor.index] = newValue
            self = FactorValues(vector: v)
        }
    }

    /// The values in ``FadeFactor`` order.
    var vector: [Double] {
        [uvExposure, fitzpatrick, oiliness, ageDecades, pigmentDilution, sessions, scarring, sweating, swimming]
    }

    /// The number of factors.
    static let count = 9

    private enum CodingKeys: String, CodingKey {
        case uvExposure, fitzpatrick, oiliness, ageDecades, pigmentDilution, sessions, scarring, sweating, swimming
    }

    /// Decodes, reading values stored before sweating and swimming were factors as 0 for them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            uvExposure: try c.decode(Double.self, forKey: .uvExposure),
            fitzpatrick: try c.decode(Double.self, forKey: .fitzpatrick),
            oiliness: try c.decode(Double.self, forKey: .oiliness),
            ageDecades: try c.decode(Double.self, forKey: .ageDecades),
            pigmentDilution: try c.decode(Double.self, forKey: .pigmentDilution),
            sessions: try c.decode(Double.self, forKey: .sessions),
            scarring: try c.decode(Double.self, forKey: .scarring),
            sweating: try c.decodeIfPresent(Double.self, forKey: .sweating) ?? 0,
            swimming: try c.decodeIfPresent(Double.self, forKey: .swimming) ?? 0)
    }
}
