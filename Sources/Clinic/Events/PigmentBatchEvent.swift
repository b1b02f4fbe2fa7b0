import Foundation

/// An event on a pigment batch stream (`pigment-<batch number>`).
public enum PigmentBatchEvent: Hashable, Sendable {
    /// `pigment.batch-received` v1.
    case received(PigmentBatchReceived)
    /// `pigment.batch-recalled` v1.
    case recalled(PigmentBatchRecalled)

    /// The payload, for encoding and generic access.
    public var payload: any EventPayload {
        switch self {
        case .received(let payload): payload
        case .recalled(let payload): payload
        }
    }

    /// When it happened, in business time.
    public var at: Date { payload.at }

    /// The dotted type name, e.g. `client.registered`.
    public var typeName: String { type(of: payload).typeName }

    /// The schema version it is written with.
    public var schemaVersion: Int { type(of: payload).schemaVersion }
}
