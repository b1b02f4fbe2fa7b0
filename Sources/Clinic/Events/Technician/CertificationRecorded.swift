import Foundation

/// A certification (or its renewal) was recorded; the latest one counts.
public struct CertificationRecorded: EventPayload {
    /// `technician.certification-recorded`.
    public static let typeName = "technician.certification-recorded"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The certifying body.
    public var body: String
    /// Certificate number.
    public var certificateNumber: String
    /// Issue date.
    public var issuedOn: CalendarDay
    /// Last day it is valid.
    public var expiresOn: CalendarDay

    /// Creates the payload.
    public init(at: Date, body: String, certificateNumber: String, issuedOn: CalendarDay, expiresOn: CalendarDay) {
        self.at = at
        self.body = body
        self.certificateNumber = certificateNumber
        self.issuedOn = issuedOn
        self.expiresOn = expiresOn
    }
}
