import Foundation

/// Any event of the clinic domain, grouped by the kind of stream it belongs to.
public enum ClinicEvent: Hashable, Sendable {
    /// An event of a client stream.
    case client(ClientEvent)
    /// An event of a technician stream.
    case technician(TechnicianEvent)
    /// An event of a pigment batch stream.
    case pigmentBatch(PigmentBatchEvent)
    /// An event of a location stream.
    case location(LocationEvent)
    /// An event of a care instruction set stream.
    case care(CareEvent)
    /// An event of the clinic settings stream.
    case settings(SettingsEvent)

    /// The payload, for encoding and generic access.
    public var payload: any EventPayload {
        switch self {
        case .client(let event): event.payload
        case .technician(let event): event.payload
        case .pigmentBatch(let event): event.payload
        case .location(let event): event.payload
        case .care(let event): event.payload
        case .settings(let event): event.payload
        }
    }

    /// When it happened, in business time. (Client and technician events, nearly all of a log, read it from
    /// their case's payload: `payload` boxed and copied the payload, and folds ask for it per event.)
    public var at: Date {
        switch self {
        case .client(let event): event.at
        case .technician(let event): event.at
        default: payload.at
        }
    }

    /// The dotted type name, e.g. `client.registered`.
    public var typeName: String { type(of: payload).typeName }

    /// The schema version it is written with.
    public var schemaVersion: Int { type(of: payload).schemaVersion }

    /// The stream category it belongs on (`client`, `technician`, `pigment`, `location`, `care`, `settings`).
    public var streamCategory: String {
        switch self {
        case .client: StreamName.clientCategory
        case .technician: StreamName.technicianCategory
        case .pigmentBatch: StreamName.pigmentBatchCategory
        case .location: StreamName.locationCategory
        case .care: StreamName.careCategory
        case .settings: StreamName.settingsCategory
        }
    }
}
