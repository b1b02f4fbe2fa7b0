import Foundation

/// An event on a location stream (`location-<id>`).
public enum LocationEvent: Hashable, Sendable {
    /// `location.opened` v1.
    case opened(LocationOpened)
    /// `location.hours-set` v1.
    case hoursSet(LocationHoursSet)

    /// The payload, for encoding and generic access.
    public var payload: any EventPayload {
        switch self {
        case .opened(let payload): payload
        case .hoursSet(let payload): payload
        }
    }

    /// When it happened, in business time.
    public var at: Date { payload.at }

    /// The dotted type name, e.g. `client.registered`.
    public var typeName: String { type(of: payload).typeName }

    /// The schema version it is written with.
    public var schemaVersion: Int { type(of: payload).schemaVersion }
}
