import Foundation

/// `client.correction-performed` version 1: a recording only, with no appointment or location.
public struct CorrectionPerformedV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    /// When it was performed.
    public var at: Date
    /// How.
    public var method: CorrectionMethod
    /// Number in the correction course.
    public var sessionNumber: Int
    /// Areas.
    public var areas: [ScalpArea]
    /// Who performed it.
    public var provider: String
    /// The technician, when named.
    public var technicianID: TechnicianID?

    /// The same facts; no booking existed, so no appointment or location is made up.
    public func upcast() -> CorrectionPerformed {
        CorrectionPerformed(
            at: at, method: method, sessionNumber: sessionNumber, areas: areas, provider: provider,
            technicianID: technicianID)
    }
}
