import Foundation

/// Plain words for drivers: what the factor is and how far it moves the touch-up.
enum DriverWording {
    /// The factor's value for this subject, e.g. "high UV exposure" or "age 62".
    static func label(_ factor: FadeFactor, subject: FadeSubject) -> String {
        let c = subject.covariates
        switch factor {
        case .uvExposure: return c.uvExposure?.phrase ?? "UV exposure"
        case .fitzpatrick: return c.fitzpatrick.map { "Fitzpatrick type \($0.numeral) skin" } ?? "skin type"
        case .oiliness: return c.oiliness?.phrase ?? "scalp oiliness"
        case .ageDecades: return c.age.map { "age \(Int($0.rounded()))" } ?? "age"
        case .pigmentDilution:
            return c.pigmentDilution.map { "pigment dilution \(Int(($0 * 100).rounded()))%" } ?? "pigment dilution"
        case .sessions:
            return subject.sessions.count == 1 ? "1 course session" : "\(subject.sessions.count) course sessions"
        case .scarring: return c.scarring == true ? "radiotherapy or scarring" : "no radiotherapy or scarring"
        case .sweating: return c.sweating == true ? "regular heavy sweating (gym, sport)" : "little heavy sweating"
        case .swimming: return c.swimming == true ? "regular swimming" : "little swimming"
        }
    }

    /// "about 9 months earlier than average" for a shift of −274 days.
    static func shift(days: Double) -> String {
        let size = abs(days)
        let direction = days < 0 ? "earlier" : "later"
        let amount: String
        if size < 45 {
            let weeks = max(1, Int((size / 7).rounded()))
            amount = weeks == 1 ? "1 week" : "\(weeks) weeks"
        } else if size < 730 {
            let months = Int((size / 30.44).rounded())
            amount = months == 1 ? "1 month" : "\(months) months"
        } else {
            amount = String(format: "%.1f years", size / 365.25)
        }
        return "about \(amount) \(direction) than average"
    }
}
