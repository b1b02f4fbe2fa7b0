import Foundation

/// How long a clinic keeps a client's records after the last treatment, and who is past it.
///
/// The clock starts at the client's last treatment (a performed session or touch-up); for a client never
/// treated it starts at their last recorded activity (any client event's business time). Nothing is deleted:
/// the review lists clients for the clinic to decide about (e.g. to forget them).
public struct RetentionReview: Sendable {
    /// The default period: ten years after the last treatment.
    public static let defaultYears = 10

    /// One client's retention facts.
    public struct Entry: Sendable, Hashable {
        /// The client.
        public var clientID: ClientID
        /// The last performed session or touch-up; nil when never treated.
        public var lastTreatment: Date?
        /// The latest business time of any of the client's events.
        public var lastActivity: Date
        /// True once the client was forgotten (personal data already erased).
        public var erased: Bool

        /// Where the retention clock starts: the last treatment, else the last activity.
        public var basis: Date { lastTreatment ?? lastActivity }

        /// The day the records may go: `basis` plus `years` calendar years (UTC).
        public func retainedUntil(years: Int) -> Date {
            RetentionReview.calendar.date(byAdding: .year, value: years, to: basis) ?? basis
        }

        /// Whole and fractional years from `basis` to `date` (365.2425-day years).
        public func yearsSince(basis date: Date) -> Double {
            date.timeIntervalSince(basis) / (365.2425 * 86_400)
        }
    }

    private var entries: [ClientID: Entry] = [:]

    /// An empty review; feed it client events with `apply`.
    public init() {}

    /// Folds one client event (any order within a client is fine; dates are compared, not positions).
    public mutating func apply(_ event: ClientEvent, client: ClientID) {
        var entry =
            entries[client] ?? Entry(clientID: client, lastTreatment: nil, lastActivity: event.at, erased: false)
        entry.lastActivity = max(entry.lastActivity, event.at)
        switch event {
        case .sessionPerformed(let e):
            entry.lastTreatment = max(entry.lastTreatment ?? e.at, e.at)
        case .touchUpPerformed(let e):
            entry.lastTreatment = max(entry.lastTreatment ?? e.at, e.at)
        case .forgotten:
            entry.erased = true
        default:
            break
        }
        entries[client] = entry
    }

    /// Every client seen, oldest basis first.
    public var all: [Entry] {
        entries.values.sorted { ($0.basis, $0.clientID.uuidString) < ($1.basis, $1.clientID.uuidString) }
    }

    /// The clients whose retention period of `years` ended on or before `asOf`, oldest basis first.
    public func past(years: Int, asOf: Date) -> [Entry] {
        all.filter { $0.retainedUntil(years: years) <= asOf }
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()
}
