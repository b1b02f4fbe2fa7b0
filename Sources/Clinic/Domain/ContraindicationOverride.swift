/// A technician's decision to treat despite a blocking contraindication, with the written reason (e.g. a
/// physician's clearance). Kept in the booking event so the decision is auditable.
public struct ContraindicationOverride: Hashable, Sendable, Codable {
    /// The technician who takes responsibility.
    public var technicianID: TechnicianID
    /// The written reason; must not be blank.
    public var reason: String
    /// The contraindications overridden; filled in by the decider from the screening.
    public var overridden: [Contraindication]

    /// Creates an override.
    public init(technicianID: TechnicianID, reason: String, overridden: [Contraindication] = []) {
        self.technicianID = technicianID
        self.reason = reason
        self.overridden = overridden
    }
}
