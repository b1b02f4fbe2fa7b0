/// A medical condition screened before treatment.
public enum Contraindication: String, Hashable, Sendable, Codable, CaseIterable {
    /// History of keloid scarring.
    case keloidHistory = "keloid-history"
    /// A bleeding disorder or anticoagulant therapy.
    case bleedingDisorder = "bleeding-disorder"
    /// Diabetes (slower healing; not blocking on its own).
    case diabetes = "diabetes"
    /// Hepatitis or HIV.
    case hepatitisOrHIV = "hepatitis-or-hiv"
    /// An active scalp condition (psoriasis flare, infection, open lesions).
    case activeScalpCondition = "active-scalp-condition"
    /// Radiotherapy to the head.
    case radiotherapy = "radiotherapy"
}

extension Contraindication {
    /// True when the condition blocks treatment unless a technician overrides it with a written reason.
    public var isBlocking: Bool { self != .diabetes }
}
