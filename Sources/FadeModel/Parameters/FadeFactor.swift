/// A covariate of the decay rate, in the fixed order used by ``FactorValues``.
///
/// Each factor enters the log of the decay rate linearly, in the unit given here.
public enum FadeFactor: String, Sendable, Codable, Equatable, Hashable, CaseIterable {
    /// UV exposure level, 0 (low) to 3 (very high); per level.
    case uvExposure
    /// Fitzpatrick type, 1 (I) to 6 (VI); per type.
    case fitzpatrick
    /// Scalp oiliness level, 0 (dry) to 3 (very oily); per level.
    case oiliness
    /// Age; per decade.
    case ageDecades
    /// Pigment dilution fraction, 0 to 1; per whole unit (undiluted to fully diluted).
    case pigmentDilution
    /// Number of course sessions; per session.
    case sessions
    /// Radiotherapy or scarring, 0 or 1.
    case scarring
    /// Regular heavy sweating (gym, sport, sauna), 0 or 1.
    case sweating
    /// Regular swimming (chlorine, salt water), 0 or 1.
    case swimming

    /// The factor's position in the model's vectors.
    var index: Int {
        switch self {
        case .uvExposure: 0
        case .fitzpatrick: 1
        case .oiliness: 2
        case .ageDecades: 3
        case .pigmentDilution: 4
        case .sessions: 5
        case .scarring: 6
        case .sweating: 7
        case .swimming: 8
        }
    }

    /// Factors whose effect the model holds non-negative: more sun, oilier skin, lighter mixes, sweat and
    /// chlorine never slow fading (the clinics' shared experience and aftercare advice, kept as a constraint in
    /// calibration).
    static let nonNegative: [FadeFactor] = [.uvExposure, .oiliness, .pigmentDilution, .sweating, .swimming]
}
