import Foundation

extension ClientRules {
    func recordComplaint(_ event: ComplaintRecorded) throws(Rejection) -> Decision {
        try requireNew(event.complaintID, "complaint", exists: client.complaints.contains(event.complaintID))
        if let id = event.appointmentID, client.treatments[id] == nil { throw .unknownAppointment(id) }
        return only(.complaintRecorded(event))
    }

    /// The reaction or complaint a correction answers is on this client's stream; a client request names none.
    func checkCause(_ cause: CorrectionCause) throws(Rejection) {
        switch cause.kind {
        case .adverseReaction:
            guard let id = cause.id, client.reactions.contains(id) else { throw .unknownCorrectionCause(cause) }
        case .complaint:
            guard let id = cause.id, client.complaints.contains(id) else { throw .unknownCorrectionCause(cause) }
        case .clientRequest:
            try require(cause.id == nil, "cause.id", "a client request refers to no reaction or complaint")
        }
    }

    /// A correction or removal is booked like a session: after a treatment, under a treatment consent and a current
    /// screening (contraindications overridden in writing), at least a healing interval after the last treatment,
    /// priced, with a certified technician free for the slot, in the location's hours, and answering a cause.
    func bookCorrection(_ event: CorrectionBooked) throws(Rejection) -> Decision {
        try requireNew(event.appointmentID, "appointment", exists: isUsed(event.appointmentID))
        try checkSlot(event.slot, bookedAt: event.at)
        try requireTreatmentPerformed()
        var event = event
        event.contraindicationOverride = try checkTreatmentAllowed(
            at: event.slot.start, location: event.locationID, override: event.contraindicationOverride)
        try checkScreeningCurrent(on: event.slot.start, at: event.locationID)
        try require(event.sessionNumber >= 1, "sessionNumber", "must be at least 1")
        try requirePositive(event.quotedPrice)
        try checkCause(event.cause)
        try checkHealingInterval(before: event.slot.start, at: event.locationID)
        return try reserveTreatment(
            .correctionBooked(event), event.appointmentID, .correction, slot: event.slot, location: event.locationID,
            technician: event.technicianID, at: event.at)
    }

    /// In-house, a correction performs its booking (same method and number; consent, age, screening and the
    /// technician's certification checked again on the day). Without an appointment it records one done by a
    /// partner clinic, which names no technician of the clinic's.
    func performCorrection(_ event: CorrectionPerformed) throws(Rejection) -> Decision {
        try requireTreatmentPerformed()
        try require(event.sessionNumber >= 1, "sessionNumber", "must be at least 1")
        try require(!event.areas.isEmpty, "areas", "must name at least one area")
        try requireText(event.provider, "provider")
        guard let appointment = event.appointmentID else {
            try require(
                event.technicianID == nil && event.locationID == nil, "appointmentID",
                "a correction by one of the clinic's technicians is booked first; give its appointment")
            return only(.correctionPerformed(event))
        }
        let booked = try bookedTreatment(appointment, kind: .correction)
        guard let booking = client.correctionBookings[appointment] else { throw .unknownAppointment(appointment) }
        try require(
            event.method == booking.method, "method", "appointment is for a \(booking.method.rawValue)")
        try require(
            event.sessionNumber == booking.sessionNumber, "sessionNumber",
            "appointment is correction session \(booking.sessionNumber)")
        guard let technician = event.technicianID else {
            throw .invalidValue(field: "technicianID", reason: "is required for a booked correction")
        }
        guard client.hasConsent(.treatment, at: event.at) else { throw .consentMissing(.treatment, at: event.at) }
        try checkReconsent(at: event.at)
        try checkAge(on: event.at, at: booked.locationID)
        try checkScreeningCurrent(on: event.at, at: booked.locationID)
        _ = try checkTechnician(technician, on: CalendarDay(event.at), needsCertification: true)
        var event = event
        event.locationID = event.locationID ?? booked.locationID
        return only(.correctionPerformed(event))
    }
}
