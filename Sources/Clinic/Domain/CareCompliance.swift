/// What a client says about keeping to the aftercare advice on sun, sweating and swimming, asked at a healing check
/// (about the healing weeks) or at a follow-up (about their habits since the last visit). Each answer is optional:
/// nil means it was not asked.
public struct CareCompliance: Hashable, Sendable, Codable {
    /// Kept out of direct sun (hat, then sunscreen), or not.
    public var sun: ComplianceAnswer?
    /// Kept from heavy sweating (gym, sport, sauna), or not.
    public var sweating: ComplianceAnswer?
    /// Kept out of pools and the sea, or not.
    public var swimming: ComplianceAnswer?

    /// Creates answers; leave a topic nil when it was not asked.
    public init(sun: ComplianceAnswer? = nil, sweating: ComplianceAnswer? = nil, swimming: ComplianceAnswer? = nil) {
        self.sun = sun
        self.sweating = sweating
        self.swimming = swimming
    }
}

/// One answer about keeping to an aftercare instruction.
public enum ComplianceAnswer: String, Hashable, Sendable, Codable, CaseIterable {
    /// Kept to the advice.
    case kept
    /// Did not: exposed regularly.
    case lapsed
}
