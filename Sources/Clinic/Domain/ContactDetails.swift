/// How to reach a client. Personal data.
public struct ContactDetails: Hashable, Sendable, Codable {
    /// E-mail address.
    public var email: String?
    /// Phone number.
    public var phone: String?

    /// Creates contact details.
    public init(email: String? = nil, phone: String? = nil) {
        self.email = email
        self.phone = phone
    }
}
