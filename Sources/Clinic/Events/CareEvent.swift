import Foundation

/// An event on a care instruction set's stream (`care-<set id>`).
public enum CareEvent: Hashable, Sendable {
    /// `care.instruction-set-published` v1.
    case published(InstructionSetPublished)
    /// `care.instruction-set-revised` v1.
    case revised(InstructionSetRevised)

    /// The payload, for encoding and generic access.
    public var payload: any EventPayload {
        switch self {
        case .published(let payload): payload
        case .revised(let payload): payload
        }
    }

    /// When it happened, in business time.
    public var at: Date { payload.at }

    /// The dotted type name, e.g. `care.instruction-set-published`.
    public var typeName: String { type(of: payload).typeName }

    /// The schema version it is written with.
    public var schemaVersion: Int { type(of: payload).schemaVersion }
}
