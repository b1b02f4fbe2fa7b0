import Foundation

/// Decides technician commands. Slot reservations are not commands of their own: they are decided together with
/// the client's booking by `ClientDecider`.
public enum TechnicianDecider {
    /// Checks a command against the technician's state; `now` is the decision time.
    public static func decide(
        _ command: TechnicianCommand, technician: TechnicianState, now: Date
    ) throws(Rejection) -> Decision {
        let event: TechnicianEvent
        switch command {
        case .register(let payload):
            guard !technician.isRegistered else { throw .technicianAlreadyRegistered(technician.id) }
            guard !payload.displayName.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "displayName", reason: "must not be blank")
            }
            event = .registered(payload)
        case .recordCertification(let payload):
            guard technician.isRegistered else { throw .unknownTechnician(technician.id) }
            guard !payload.body.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "body", reason: "must not be blank")
            }
            guard payload.issuedOn <= payload.expiresOn else {
                throw .invalidValue(field: "expiresOn", reason: "is before issuedOn \(payload.issuedOn)")
            }
            event = .certificationRecorded(payload)
        case .deactivate(let payload):
            guard technician.isRegistered else { throw .unknownTechnician(technician.id) }
            guard technician.isActive else { throw .technicianInactive(technician.id) }
            event = .deactivated(payload)
        }
        guard event.at <= now else { throw .inTheFuture(at: event.at, now: now) }
        return Decision([PendingEvent(stream: .technician(technician.id), event: .technician(event))])
    }
}
