import Foundation

/// A correction or removal session (e.g. laser) was performed.
public struct CorrectionPerformed: EventPayload {
    /// `client.correction-performed`.
    public static let typeName = "client.correction-performed"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// How.
    public var method: CorrectionMethod
    /// Number in the correction course.
    public var sessionNumber: Int
    /// Areas.
    public var areas: [ScalpArea]
    /// Who performed it (the studio or a partner clinic).
    public var provider: String
    /// The technician, when done in-house.
    public var technicianID: TechnicianID?

    /// Creates the payload.
    public init(
        at: Date, method: CorrectionMethod, sessionNumber: Int, areas: [ScalpArea], provider: String,
        technicianID: TechnicianID? = nil
    ) {
        self.at = at
        self.method = method
        self.sessionNumber = sessionNumber
        self.areas = areas
        self.provider = provider
        self.technicianID = technicianID
    }
}
