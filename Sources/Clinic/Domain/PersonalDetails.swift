/// A client's personal data: kept together under `personal` in the registration payload so that it can be
/// encrypted with the client's key and made unreadable when the client is forgotten.
public struct PersonalDetails: Hashable, Sendable, Codable {
    /// Full name.
    public var fullName: String
    /// Contact details.
    public var contact: ContactDetails
    /// Date of birth; the age rule is checked against it.
    public var dateOfBirth: CalendarDay

    /// Creates personal details.
    public init(fullName: String, contact: ContactDetails, dateOfBirth: CalendarDay) {
        self.fullName = fullName
        self.contact = contact
        self.dateOfBirth = dateOfBirth
    }
}
