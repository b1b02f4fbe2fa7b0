import Foundation

extension ClientRules {
    /// Instructions come from a published set, in the version in force when given, with items of the kind given,
    /// for an appointment: pre-care for a consultation or treatment still to take place (or held), aftercare for a
    /// treatment that took place.
    func giveInstructions(_ event: InstructionsGiven) throws(Rejection) -> Decision {
        try require(
            event.legacyLabel == nil, "legacyLabel", "is only read from history written before instruction sets")
        guard let setID = event.instructionSetID else {
            throw .invalidValue(field: "instructionSetID", reason: "is required")
        }
        guard let version = event.instructionSetVersion else {
            throw .invalidValue(field: "instructionSetVersion", reason: "is required")
        }
        guard let appointment = event.appointmentID else {
            throw .invalidValue(field: "appointmentID", reason: "is required")
        }
        guard let set = context.instructionSet, set.id == setID, set.isPublished else {
            throw .unknownInstructionSet(setID)
        }
        guard let inForce = set.version(inForceAt: event.at) else {
            throw .invalidValue(
                field: "at", reason: "care instruction set \(setID) was published after \(BusinessTime.iso(event.at))")
        }
        guard version == inForce.number else {
            throw .instructionVersionNotInForce(setID, version: version, inForce: inForce.number, at: event.at)
        }
        guard inForce.items.contains(where: { $0.kind == event.kind }) else {
            throw .noInstructionsOfKind(setID, version: version, kind: event.kind)
        }
        switch event.kind {
        case .preCare:
            let status = client.consultations[appointment]?.status ?? client.treatments[appointment]?.status
            guard let status else { throw .unknownAppointment(appointment) }
            guard status.isBookedOrCompleted else { throw .appointmentNotBooked(appointment, status: status) }
        case .aftercare:
            guard client.treatments[appointment] != nil else {
                if client.consultations[appointment] != nil {
                    throw .invalidValue(
                        field: "appointmentID", reason: "aftercare follows a session or touch-up, not a consultation")
                }
                throw .unknownAppointment(appointment)
            }
            try checkTookPlace(appointment, by: event.at)
        }
        return only(.instructionsGiven(event))
    }

    /// An acknowledgement is of instructions given for that appointment by then, and is recorded once.
    func acknowledgeInstructions(_ event: InstructionsAcknowledged) throws(Rejection) -> Decision {
        guard let given = client.instructions[event.appointmentID]?[event.kind], given.givenAt <= event.at else {
            throw .instructionsNotGiven(event.appointmentID, kind: event.kind)
        }
        if let acknowledged = given.acknowledgedAt {
            throw .instructionsAlreadyAcknowledged(event.appointmentID, kind: event.kind, on: acknowledged)
        }
        return only(.instructionsAcknowledged(event))
    }
}
