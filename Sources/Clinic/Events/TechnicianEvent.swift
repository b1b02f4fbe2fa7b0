import Foundation

/// An event on a technician stream (`technician-<id>`).
public enum TechnicianEvent: Hashable, Sendable {
    /// `technician.registered` v1.
    case registered(TechnicianRegistered)
    /// `technician.certification-recorded` v1.
    case certificationRecorded(CertificationRecorded)
    /// `technician.deactivated` v1.
    case deactivated(TechnicianDeactivated)
    /// `technician.slot-reserved` v1.
    case slotReserved(SlotReserved)
    /// `technician.slot-released` v1.
    case slotReleased(SlotReleased)

    /// The payload, for encoding and generic access.
    public var payload: any EventPayload {
        switch self {
        case .registered(let payload): payload
        case .certificationRecorded(let payload): payload
        case .deactivated(let payload): payload
        case .slotReserved(let payload): payload
        case .slotReleased(let payload): payload
        }
    }

    /// When it happened, in business time (from the case's payload, not boxed through `payload`).
    public var at: Date {
        switch self {
        case .registered(let payload): payload.at
        case .certificationRecorded(let payload): payload.at
        case .deactivated(let payload): payload.at
        case .slotReserved(let payload): payload.at
        case .slotReleased(let payload): payload.at
        }
    }

    /// The dotted type name, e.g. `client.registered`.
    public var typeName: String { type(of: payload).typeName }

    /// The schema version it is written with.
    public var schemaVersion: Int { type(of: payload).schemaVersion }
}
