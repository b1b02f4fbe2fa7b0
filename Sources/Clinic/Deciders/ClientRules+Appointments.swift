import Foundation

extension ClientRules {
    // MARK: Shared checks

    func checkSlot(_ slot: TimeSlot, bookedAt: Date) throws(Rejection) {
        guard slot.end > slot.start else { throw .invalidSlot(slot, reason: "it must end after it starts") }
        guard slot.duration <= settings.maximumAppointmentDuration else {
            throw .invalidSlot(slot, reason: "it is longer than \(Int(settings.maximumAppointmentDuration / 60)) min")
        }
        guard slot.start >= bookedAt else { throw .appointmentInThePast(start: slot.start, bookedAt: bookedAt) }
    }

    /// The technician in the context, registered, active and (for treatments) certified on the day.
    func checkTechnician(_ id: TechnicianID, on day: CalendarDay, needsCertification: Bool)
        throws(Rejection) -> TechnicianState
    {
        guard let technician = context.technician, technician.id == id, technician.isRegistered else {
            throw .unknownTechnician(id)
        }
        guard technician.isActive else { throw .technicianInactive(id) }
        if needsCertification, !technician.isCertified(on: day) {
            throw .certificationLapsed(id, expiredOn: technician.certification?.expiresOn, on: day)
        }
        return technician
    }

    func checkLocation(_ id: LocationID) throws(Rejection) {
        guard let location = context.location, location.id == id, location.isOpen else {
            throw .unknownLocation(id)
        }
    }

    func checkAvailable(_ technician: TechnicianState, _ slot: TimeSlot, moving: AppointmentID? = nil)
        throws(Rejection)
    {
        if let conflict = technician.conflictingReservation(with: slot, excluding: moving) {
            throw .technicianUnavailable(technician.id, conflicting: conflict.appointmentID, slot: conflict.slot)
        }
    }

    /// Held consultation, treatment consent, screening without unoverridden blocking contraindications, minimum
    /// age on the day. Returns the override completed with the contraindications it overrides.
    func checkTreatmentAllowed(at date: Date, location: LocationID, override: ContraindicationOverride?)
        throws(Rejection) -> ContraindicationOverride?
    {
        guard client.hasHeldConsultation else { throw .noConsultationHeld }
        guard client.hasConsent(.treatment, at: date) else { throw .consentMissing(.treatment, at: date) }
        try checkReconsent(at: date)
        guard let screening = client.screening else { throw .noScreening }
        try checkAge(on: date, at: location)
        let blocking = Array(Set(screening.contraindications.filter(\.isBlocking))).sorted { $0.rawValue < $1.rawValue }
        guard !blocking.isEmpty else { return override }
        guard var override else { throw .blockingContraindications(blocking) }
        guard !override.reason.allSatisfy(\.isWhitespace) else { throw .overrideReasonMissing }
        override.overridden = blocking
        return override
    }

    /// After the clinic published a form requiring re-consent, a treatment from its date on needs a treatment consent
    /// valid then and signed on that version or a later one.
    func checkReconsent(at date: Date) throws(Rejection) {
        guard let form = context.consentForms.reconsentRequirement(for: .treatment, at: date) else { return }
        let signed = client.consents.contains { consent in
            consent.covers(.treatment, at: date)
                && context.consentForms.version(consent.formVersion, isAtLeast: form.formVersion)
        }
        guard signed else { throw .reconsentRequired(formVersion: form.formVersion, publishedOn: CalendarDay(form.at)) }
    }

    /// The minimum age of the location where the treatment takes place (the law may differ between locations).
    func checkAge(on date: Date, at location: LocationID) throws(Rejection) {
        guard let birth = client.personal?.dateOfBirth else { throw .dateOfBirthUnknown }
        let day = CalendarDay(date)
        let age = birth.years(until: day)
        let minimum = context.settings(at: location).minimumAge
        guard age >= minimum else { throw .underage(age: age, on: day, minimum: minimum) }
    }

    func checkHealingInterval(before start: Date, at location: LocationID) throws(Rejection) {
        guard let last = client.latestTreatmentTime else { return }
        let days = context.settings(at: location).healingIntervalDays
        let earliest = last.addingTimeInterval(TimeInterval(days) * BusinessTime.day)
        guard start >= earliest else { throw .healingIntervalNotElapsed(last: last, earliest: earliest) }
    }

    /// The batch in the context: received, not recalled by the day, not expired on the day.
    func checkPigment(_ number: PigmentBatchNumber, on day: CalendarDay) throws(Rejection) -> PigmentBatchReceived {
        guard let batch = context.pigmentBatch, batch.id == number, let received = batch.received else {
            throw .unknownPigmentBatch(number)
        }
        if let recall = batch.recall, batch.isRecalled(on: day) {
            throw .pigmentBatchRecalled(number, on: CalendarDay(recall.at), reason: recall.reason)
        }
        guard !batch.isExpired(on: day) else {
            throw .pigmentBatchExpired(number, expiredOn: received.expiresOn, on: day)
        }
        return received
    }

    func checkTreatmentRecord(_ record: TreatmentRecord) throws(Rejection) {
        try require(!record.areasTreated.isEmpty, "treatment.areasTreated", "must name at least one area")
        try requireText(record.needleConfiguration, "treatment.needleConfiguration")
        try requireFraction(record.dotDensity, "treatment.dotDensity")
        try require((1...720).contains(record.durationMinutes), "treatment.durationMinutes", "must be 1–720")
    }

    func bookedTreatment(_ id: AppointmentID, kind: AppointmentKind) throws(Rejection) -> TreatmentAppointment {
        guard let treatment = client.treatments[id], treatment.kind == kind else { throw .unknownAppointment(id) }
        guard treatment.status == .booked else { throw .appointmentNotBooked(id, status: treatment.status) }
        return treatment
    }

    func bookedConsultation(_ id: AppointmentID) throws(Rejection) -> ConsultationRecord {
        guard let consultation = client.consultations[id] else { throw .unknownAppointment(id) }
        guard consultation.status == .booked else { throw .appointmentNotBooked(id, status: consultation.status) }
        return consultation
    }

    func isUsed(_ id: AppointmentID) -> Bool { client.consultations[id] != nil || client.treatments[id] != nil }

    func reserve(
        _ technician: TechnicianID, _ id: AppointmentID, _ kind: AppointmentKind, _ slot: TimeSlot,
        _ location: LocationID, at: Date
    ) -> PendingEvent {
        let reserved = SlotReserved(
            at: at, appointmentID: id, clientID: client.id, kind: kind, slot: slot,
            locationID: location)
        return pending(.slotReserved(reserved), for: technician)
    }

    func release(_ technician: TechnicianID, _ id: AppointmentID, _ reason: SlotReleaseReason, at: Date)
        -> PendingEvent
    {
        pending(.slotReleased(SlotReleased(at: at, appointmentID: id, reason: reason)), for: technician)
    }

    // MARK: Consultations

    func bookConsultation(_ event: ConsultationBooked) throws(Rejection) -> Decision {
        try requireNew(event.appointmentID, "appointment", exists: isUsed(event.appointmentID))
        try checkSlot(event.slot, bookedAt: event.at)
        let technician = try checkTechnician(
            event.technicianID, on: CalendarDay(event.slot.start),
            needsCertification: false)
        try checkLocation(event.locationID, slot: event.slot)
        try checkAvailable(technician, event.slot)
        return Decision([
            pending(.consultationBooked(event)),
            reserve(event.technicianID, event.appointmentID, .consultation, event.slot, event.locationID, at: event.at),
        ])
    }

    func rescheduleConsultation(_ event: ConsultationRescheduled) throws(Rejection) -> Decision {
        let old = try bookedConsultation(event.appointmentID)
        try checkSlot(event.slot, bookedAt: event.at)
        let technician = try checkTechnician(
            event.technicianID, on: CalendarDay(event.slot.start),
            needsCertification: false)
        try checkLocation(event.locationID, slot: event.slot)
        try checkAvailable(technician, event.slot, moving: event.appointmentID)
        return Decision([
            pending(.consultationRescheduled(event)),
            release(old.technicianID, event.appointmentID, .rescheduled, at: event.at),
            reserve(event.technicianID, event.appointmentID, .consultation, event.slot, event.locationID, at: event.at),
        ])
    }

    func cancelConsultation(_ event: ConsultationCancelled) throws(Rejection) -> Decision {
        let consultation = try bookedConsultation(event.appointmentID)
        return Decision([
            pending(.consultationCancelled(event)),
            release(consultation.technicianID, event.appointmentID, .cancelled, at: event.at),
        ])
    }

    func markConsultationNoShow(_ event: ConsultationNoShow) throws(Rejection) -> Decision {
        let consultation = try bookedConsultation(event.appointmentID)
        guard event.at >= consultation.slot.start else {
            throw .appointmentNotStarted(event.appointmentID, start: consultation.slot.start)
        }
        return Decision([
            pending(.consultationNoShow(event)),
            release(consultation.technicianID, event.appointmentID, .noShow, at: event.at),
        ])
    }

    func holdConsultation(_ event: ConsultationHeld) throws(Rejection) -> Decision {
        _ = try bookedConsultation(event.appointmentID)
        try require(
            event.assessment.hairLoss.isValid, "assessment.hairLoss",
            "\(event.assessment.hairLoss) does not exist")
        try requireFraction(event.targetDensity, "targetDensity")
        try require(event.treatedAreaSquareCentimetres > 0, "treatedAreaSquareCentimetres", "must be above zero")
        try require((1...6).contains(event.sessionsPlanned), "sessionsPlanned", "must be 1–6")
        try require(event.quotedPrice.minorUnits > 0, "quotedPrice", "must be above zero")
        try require(
            event.design.heightCentimetres.isFinite && event.design.heightCentimetres > 0,
            "design.heightCentimetres", "must be above zero")
        return only(.consultationHeld(event))
    }

    // MARK: Sessions and touch-ups

    func bookSession(_ event: SessionBooked) throws(Rejection) -> Decision {
        try requireNew(event.appointmentID, "appointment", exists: isUsed(event.appointmentID))
        try checkSlot(event.slot, bookedAt: event.at)
        var event = event
        event.contraindicationOverride = try checkTreatmentAllowed(
            at: event.slot.start, location: event.locationID, override: event.contraindicationOverride)
        guard let plan = client.plan else { throw .noTreatmentPlan }
        let scheduled = client.sessionsScheduledOrPerformed
        guard scheduled < plan.sessionsPlanned else { throw .courseComplete(sessionsPlanned: plan.sessionsPlanned) }
        try require(event.sessionNumber == scheduled + 1, "sessionNumber", "the next session is \(scheduled + 1)")
        try checkDepositPolicy(at: event.locationID, plan: plan)
        try checkHealingInterval(before: event.slot.start, at: event.locationID)
        return try reserveTreatment(
            .sessionBooked(event), event.appointmentID, .session, slot: event.slot, location: event.locationID,
            technician: event.technicianID, at: event.at)
    }

    /// The end of every treatment booking: a technician certified on the day and free for the slot, at a location
    /// open for it; the booking and the technician's reservation in one decision.
    func reserveTreatment(
        _ booking: ClientEvent, _ id: AppointmentID, _ kind: AppointmentKind, slot: TimeSlot, location: LocationID,
        technician: TechnicianID, at: Date
    ) throws(Rejection) -> Decision {
        let state = try checkTechnician(technician, on: CalendarDay(slot.start), needsCertification: true)
        try checkLocation(location, slot: slot)
        try checkAvailable(state, slot)
        return Decision([pending(booking), reserve(technician, id, kind, slot, location, at: at)])
    }

    func bookTouchUp(_ event: TouchUpBooked) throws(Rejection) -> Decision {
        try requireNew(event.appointmentID, "appointment", exists: isUsed(event.appointmentID))
        try checkSlot(event.slot, bookedAt: event.at)
        var event = event
        event.contraindicationOverride = try checkTreatmentAllowed(
            at: event.slot.start, location: event.locationID, override: event.contraindicationOverride)
        guard let plan = client.plan else { throw .noTreatmentPlan }
        guard client.isCourseComplete else {
            throw .courseNotComplete(performed: client.sessionsPerformed, planned: plan.sessionsPlanned)
        }
        if let removed = client.pigmentRemovedAt { throw .pigmentRemoved(on: removed) }
        try checkScreeningCurrent(on: event.slot.start, at: event.locationID)
        try requirePositive(event.quotedPrice)
        try checkHealingInterval(before: event.slot.start, at: event.locationID)
        return try reserveTreatment(
            .touchUpBooked(event), event.appointmentID, .touchUp, slot: event.slot, location: event.locationID,
            technician: event.technicianID, at: event.at)
    }

    func cancelSession(_ event: SessionCancelled) throws(Rejection) -> Decision {
        guard let treatment = client.treatments[event.appointmentID] else {
            throw .unknownAppointment(event.appointmentID)
        }
        _ = try bookedTreatment(event.appointmentID, kind: treatment.kind)
        return Decision(
            [
                pending(.sessionCancelled(event)),
                release(treatment.technicianID, event.appointmentID, .cancelled, at: event.at),
            ] + depositPolicyEvents(for: treatment, at: event.at, cancelledBy: event.cancelledBy))
    }

    func markSessionNoShow(_ event: SessionNoShow) throws(Rejection) -> Decision {
        guard let treatment = client.treatments[event.appointmentID] else {
            throw .unknownAppointment(event.appointmentID)
        }
        _ = try bookedTreatment(event.appointmentID, kind: treatment.kind)
        guard event.at >= treatment.slot.start else {
            throw .appointmentNotStarted(event.appointmentID, start: treatment.slot.start)
        }
        return Decision(
            [
                pending(.sessionNoShow(event)),
                release(treatment.technicianID, event.appointmentID, .noShow, at: event.at),
            ] + depositPolicyEvents(for: treatment, at: event.at, cancelledBy: nil))
    }

    /// Checks done when treatment actually happens: consent and age on the day, the technician's certification on
    /// the day, and the pigment batch (not recalled, not expired). Returns the record with the batch's product and
    /// expiry as the batch stream recorded them.
    func checkPerformed(
        _ record: TreatmentRecord, technician: TechnicianID, location: LocationID, at date: Date
    ) throws(Rejection) -> TreatmentRecord {
        try checkTreatmentRecord(record)
        guard client.hasConsent(.treatment, at: date) else { throw .consentMissing(.treatment, at: date) }
        try checkReconsent(at: date)
        try checkAge(on: date, at: location)
        let day = CalendarDay(date)
        _ = try checkTechnician(technician, on: day, needsCertification: true)
        let batch = try checkPigment(record.pigment.batchNumber, on: day)
        var record = record
        record.pigment.product = batch.product
        record.pigment.batchExpiresOn = batch.expiresOn
        return record
    }

    func performSession(_ event: SessionPerformed) throws(Rejection) -> Decision {
        let booked = try bookedTreatment(event.appointmentID, kind: .session)
        try require(
            event.sessionNumber == booked.sessionNumber, "sessionNumber",
            "appointment is session \(booked.sessionNumber ?? 0)")
        var event = event
        event.treatment = try checkPerformed(
            event.treatment, technician: event.technicianID, location: event.locationID, at: event.at)
        return only(.sessionPerformed(event))
    }

    func performTouchUp(_ event: TouchUpPerformed) throws(Rejection) -> Decision {
        _ = try bookedTreatment(event.appointmentID, kind: .touchUp)
        try checkScreeningCurrent(on: event.at, at: event.locationID)
        var event = event
        event.treatment = try checkPerformed(
            event.treatment, technician: event.technicianID, location: event.locationID, at: event.at)
        return only(.touchUpPerformed(event))
    }
}
