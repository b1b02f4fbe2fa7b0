import Foundation

/// Decides location commands.
public enum LocationDecider {
    /// Checks a command against the location's state; `now` is the decision time.
    public static func decide(
        _ command: LocationCommand, location: LocationState, now: Date
    ) throws(Rejection) -> Decision {
        let event: LocationEvent
        switch command {
        case .open(let payload):
            guard !location.isOpen else { throw .locationAlreadyOpened(location.id) }
            guard !payload.name.allSatisfy(\.isWhitespace), !payload.timeZone.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "name/timeZone", reason: "must not be blank")
            }
            guard TimeZone.known(payload.timeZone) != nil else {
                throw .invalidValue(
                    field: "timeZone", reason: "\(payload.timeZone) is not an IANA time zone (e.g. America/New_York)")
            }
            event = .opened(payload)
        case .setHours(let payload):
            guard location.isOpen else { throw .unknownLocation(location.id) }
            guard payload.hours.allSatisfy(\.isValid) else {
                throw .invalidValue(field: "hours", reason: "weekday 1–7 and opening before closing within a day")
            }
            guard Set(payload.hours.map(\.weekday)).count == payload.hours.count else {
                throw .invalidValue(field: "hours", reason: "a weekday appears twice")
            }
            event = .hoursSet(payload)
        }
        guard event.at <= now else { throw .inTheFuture(at: event.at, now: now) }
        return Decision([PendingEvent(stream: .location(location.id), event: .location(event))])
    }
}
