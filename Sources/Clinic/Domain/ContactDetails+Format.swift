/// What the clinic accepts as an e-mail address or a phone number.
///
/// Deliberately plain rules, so a typo is caught while every real address passes: an e-mail is
/// `local@domain` with one `@`, no spaces, a dot in the domain and at most 254 characters; a phone
/// number is E.164 or the looser form people write (`+44 20 7946 0958`, `(020) 7946-0958`): digits
/// with spaces, dots, hyphens and parentheses, an optional leading `+`, 7 to 15 digits.
extension ContactDetails {
    /// The longest e-mail address accepted (RFC 5321's path limit).
    public static let maximumEmailLength = 254
    /// The longest phone number accepted, separators included.
    public static let maximumPhoneLength = 32

    /// Why `text` is not a plausible e-mail address, or nil when it is.
    public static func emailProblem(_ text: String) -> String? {
        guard !text.allSatisfy(\.isWhitespace) else { return "must not be blank" }
        guard text.count <= maximumEmailLength else { return "must be at most \(maximumEmailLength) characters" }
        guard
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { return "must not contain spaces or control characters" }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "must contain exactly one @ (like name@example.com)" }
        let local = parts[0]
        let domain = parts[1]
        guard (1...64).contains(local.count) else { return "needs 1 to 64 characters before the @" }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") })
        else { return "needs a domain like example.com after the @" }
        return nil
    }

    /// Why `text` is not a plausible phone number, or nil when it is.
    public static func phoneProblem(_ text: String) -> String? {
        guard text.count <= maximumPhoneLength else { return "must be at most \(maximumPhoneLength) characters" }
        var digits = 0
        for (index, character) in text.enumerated() {
            if character.isASCII, character.isNumber {
                digits += 1
            } else if character == "+" {
                guard index == 0 else { return "may have a + only at the start (E.164, like +442079460958)" }
            } else if !" .-()".contains(character) {
                return "must be digits with an optional leading + (E.164, like +442079460958)"
            }
        }
        guard (7...15).contains(digits) else { return "must have 7 to 15 digits (E.164, like +442079460958)" }
        return nil
    }
}

extension PersonalDetails {
    /// The earliest date of birth accepted: a year like 0000 is a typo or a trick, not a client.
    public static let earliestDateOfBirth = CalendarDay(daysSinceEpoch: -25_567)  // 1900-01-01
}
