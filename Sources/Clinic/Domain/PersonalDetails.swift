/// A client's personal data: kept together under `personal` in the registration payload so that it can be
/// encrypted with the client's key and made unreadable when the client is forgotten.
///
/// Once the client's key is destroyed the store hands back `{"erased": true}` in its place, which decodes
/// to `PersonalDetails.erased`.
public struct PersonalDetails: Hashable, Sendable {
    /// Full name ("(erased)" once erased).
    public var fullName: String
    /// Contact details.
    public var contact: ContactDetails
    /// Date of birth; the age rule is checked against it (1970-01-01, meaningless, once erased).
    public var dateOfBirth: CalendarDay
    /// True when the client was forgotten and their key destroyed: the values above are placeholders.
    public private(set) var isErased = false

    /// Creates personal details.
    public init(fullName: String, contact: ContactDetails, dateOfBirth: CalendarDay) {
        self.fullName = fullName
        self.contact = contact
        self.dateOfBirth = dateOfBirth
    }

    /// What personal details read as after the client's key was destroyed.
    public static let erased: PersonalDetails = {
        var details = PersonalDetails(
            fullName: ErasedPersonalData.placeholder, contact: ContactDetails(),
            dateOfBirth: CalendarDay(daysSinceEpoch: 0))
        details.isErased = true
        return details
    }()
}

extension PersonalDetails: Codable {
    private enum CodingKeys: String, CodingKey {
        case fullName, contact, dateOfBirth, erased
    }

    /// Decodes the details, or the erased marker `{"erased": true}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if try container.decodeIfPresent(Bool.self, forKey: .erased) == true {
            self = .erased
            return
        }
        self.init(
            fullName: try container.decode(String.self, forKey: .fullName),
            contact: try container.decode(ContactDetails.self, forKey: .contact),
            dateOfBirth: try container.decode(CalendarDay.self, forKey: .dateOfBirth))
    }

    /// Encodes the details (or the erased marker).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if isErased {
            try container.encode(true, forKey: .erased)
            return
        }
        try container.encode(fullName, forKey: .fullName)
        try container.encode(contact, forKey: .contact)
        try container.encode(dateOfBirth, forKey: .dateOfBirth)
    }
}

/// The marker the event store puts where a forgotten client's personal data was.
public enum ErasedPersonalData {
    /// What erased text reads as.
    public static let placeholder = "(erased)"

    /// True when `decoder` holds `{"erased": true}`.
    static func isMarker(_ decoder: any Decoder) -> Bool {
        guard let container = try? decoder.container(keyedBy: MarkerKey.self) else { return false }
        return (try? container.decodeIfPresent(Bool.self, forKey: .erased)) == true
    }

    private enum MarkerKey: String, CodingKey {
        case erased
    }
}
