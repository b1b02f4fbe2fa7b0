/// Names and places the history generator draws from.
enum GeneratorCatalog {
    /// Who records the clinic's settings.
    static let owner = "Morgan Reyes (owner)"
    /// The consent forms the clinic publishes: version, the SHA-256 of a text the demo does not carry, and whether
    /// every client signs again before their next treatment.
    static let consentForms: [(version: String, hash: String, reconsent: Bool, reason: String)] = [
        (
            "2018-11", "5d41402abc4b2a76b9719d911017c592b3a1f8c6e9d0e7f4a2c6b8d0e1f3a5c7", false,
            "Consent form in use when the clinic opened"
        ),
        (
            "2023-06", "9b74c9897bac770ffc029102a200c5de0fa6d2e8c1b4a7f3e5d9c2b6a8f0e4d1", true,
            "Adds the photo retention period and aftercare duties: every client signs again before treatment"
        ),
    ]
    static let cities: [(id: String, name: String, timeZone: String)] = [
        ("nyc", "New York", "America/New_York"), ("la", "Los Angeles", "America/Los_Angeles"),
        ("chi", "Chicago", "America/Chicago"), ("hou", "Houston", "America/Chicago"),
        ("mia", "Miami", "America/New_York"), ("aus", "Austin", "America/Chicago"),
        ("sea", "Seattle", "America/Los_Angeles"), ("den", "Denver", "America/Denver"),
        ("bos", "Boston", "America/New_York"), ("atl", "Atlanta", "America/New_York"),
    ]
    static let maleFirstNames = [
        "James", "Michael", "Robert", "David", "Daniel", "Marcus", "Anthony", "Kevin", "Jason", "Brian",
        "Luis", "Carlos", "Andre", "Tyrone", "Samir", "Raj", "Wei", "Tomasz", "Olu", "Patrick",
    ]
    static let femaleFirstNames = [
        "Maria", "Jennifer", "Aisha", "Linda", "Sophia", "Grace", "Priya", "Elena", "Nicole", "Fatima",
    ]
    static let lastNames = [
        "Smith", "Johnson", "Williams", "Brown", "Garcia", "Martinez", "Nguyen", "Patel", "Kim", "O'Brien",
        "Okafor", "Kowalski", "Rossi", "Cohen", "Haddad", "Silva", "Chen", "Murphy", "Jackson", "Lopez",
    ]
    static let technicianNames = [
        "Alex Rivera", "Jordan Blake", "Sam Carter", "Taylor Reed", "Morgan Lee", "Casey Quinn", "Jamie Fox",
        "Riley Grant", "Drew Ellis", "Avery Stone", "Cameron Hale", "Devon Price",
    ]
    static let products = ["Scalp Pigment Light Ash", "Scalp Pigment Medium Brown", "Scalp Pigment Deep Black"]
    static let shades = ["Light Ash", "Medium Brown", "Deep Black"]
    static let hairColours = ["black", "dark brown", "medium brown", "light brown", "grey", "blonde"]
    static let referrals = ["Instagram", "Google", "Friend", "YouTube", "Hair transplant clinic", "Barber"]
    static let needles = ["1RL 0.18 mm", "1RL 0.25 mm", "3RL 0.30 mm"]
    static let supplier = "DermaBlend Supplies"
    static let certificationBody = "International SMP Association"
    static let careSetID = InstructionSetID(literal: "smp-standard")

    /// The clinic's care sheet: pre-care the day before, aftercare over the first four weeks.
    static func careItems(sweatDays: Int) -> [CareItem] {
        [
            CareItem(
                kind: .preCare, topic: .haircut, text: "Close haircut or shave the day before", fromDay: -1),
            CareItem(
                kind: .preCare, topic: .bloodThinners,
                text: "No blood thinners (aspirin, ibuprofen) or alcohol for 24 hours before, unless prescribed",
                days: 1),
            CareItem(kind: .aftercare, topic: .washing, text: "Do not wash the scalp for 3 days", days: 3),
            CareItem(
                kind: .aftercare, topic: .sweating, text: "No sweating, gym or sport for \(sweatDays) days",
                days: sweatDays),
            CareItem(kind: .aftercare, topic: .swimming, text: "No swimming or sauna for 4 weeks", days: 28),
            CareItem(
                kind: .aftercare, topic: .sun, text: "No direct sun: a loose hat for 4 weeks, then SPF 50", days: 28),
            CareItem(kind: .aftercare, topic: .scabs, text: "Do not pick or scratch the scabs"),
            CareItem(kind: .aftercare, topic: .moisturising, text: "Moisturise lightly from day 4", fromDay: 4),
        ]
    }
}
