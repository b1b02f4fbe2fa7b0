import Foundation

extension ClientState {
    /// Folds one event in place. Total: an event that does not fit (which `decide` never produces) is recorded
    /// as far as it makes sense, never trapped on, because stored history must always be readable.
    public mutating func apply(_ event: ClientEvent) {
        version += 1
        switch event {
        case .registered(let e):
            isRegistered = true
            registeredAt = e.at
            personal = e.personal
        case .medicalScreeningRecorded(let e):
            screening = e
        case .consentSigned(let e):
            consents.append(
                ConsentRecord(
                    consentID: e.consentID, formVersion: e.formVersion, scopes: Set(e.scopes),
                    signedAt: e.at, withdrawnAt: [:], contentHash: e.contentHash))
        case .consentWithdrawn(let e):
            for index in consents.indices {
                for scope in e.scopes where consents[index].scopes.contains(scope) {
                    if consents[index].withdrawnAt[scope] == nil { consents[index].withdrawnAt[scope] = e.at }
                }
            }
        case .consultationBooked(let e):
            consultations[e.appointmentID] = ConsultationRecord(
                appointmentID: e.appointmentID, slot: e.slot, technicianID: e.technicianID, locationID: e.locationID,
                status: .booked)
        case .consultationRescheduled(let e):
            consultations[e.appointmentID]?.slot = e.slot
            consultations[e.appointmentID]?.technicianID = e.technicianID
            consultations[e.appointmentID]?.locationID = e.locationID
        case .consultationCancelled(let e):
            consultations[e.appointmentID]?.status = .cancelled
        case .consultationNoShow(let e):
            consultations[e.appointmentID]?.status = .noShow
        case .consultationHeld(let e):
            consultations[e.appointmentID]?.status = .completed
            lastConsultationHeld = e
        case .instructionsGiven(let e):
            if let appointment = e.appointmentID, let set = e.instructionSetID, let version = e.instructionSetVersion {
                instructions[appointment, default: [:]][e.kind] = GivenInstructions(
                    givenAt: e.at, instructionSetID: set, version: version, acknowledgedAt: nil)
            }
        case .instructionsAcknowledged(let e):
            if instructions[e.appointmentID]?[e.kind]?.acknowledgedAt == nil {
                instructions[e.appointmentID]?[e.kind]?.acknowledgedAt = e.at
            }
        case .treatmentPlanAgreed(let e):
            plan = e
            accountCurrency = accountCurrency ?? e.pricing.price.currency
        case .depositTaken(let e):
            deposits[e.depositID] = DepositRecord(
                depositID: e.depositID, amount: e.amount, refundable: e.refundable,
                status: .held, method: e.method, takenAt: e.at)
            receive(e.amount)
        case .depositApplied(let e):
            deposits[e.depositID]?.status = .applied
        case .depositForfeited(let e):
            deposits[e.depositID]?.status = .forfeited
        case .depositForfeitReversed(let e):
            if deposits[e.depositID]?.status == .forfeited { deposits[e.depositID]?.status = .held }
        case .sessionBooked(let e):
            treatments[e.appointmentID] = TreatmentAppointment(
                appointmentID: e.appointmentID, kind: .session, sessionNumber: e.sessionNumber, slot: e.slot,
                technicianID: e.technicianID, locationID: e.locationID, status: .booked, performedAt: nil)
        case .touchUpBooked(let e):
            treatments[e.appointmentID] = TreatmentAppointment(
                appointmentID: e.appointmentID, kind: .touchUp, sessionNumber: nil, slot: e.slot,
                technicianID: e.technicianID, locationID: e.locationID, status: .booked, performedAt: nil)
        case .sessionCancelled(let e):
            treatments[e.appointmentID]?.status = .cancelled
        case .sessionNoShow(let e):
            treatments[e.appointmentID]?.status = .noShow
        case .sessionPerformed(let e):
            markPerformed(e.appointmentID, at: e.at, technicianID: e.technicianID, locationID: e.locationID)
            sessionsPerformed += 1
        case .touchUpPerformed(let e):
            markPerformed(e.appointmentID, at: e.at, technicianID: e.technicianID, locationID: e.locationID)
            touchUpsPerformed += 1
            touchUpRecommended = false
        case .complaintRecorded(let e):
            complaints.insert(e.complaintID)
        case .correctionBooked(let e):
            treatments[e.appointmentID] = TreatmentAppointment(
                appointmentID: e.appointmentID, kind: .correction, sessionNumber: e.sessionNumber, slot: e.slot,
                technicianID: e.technicianID, locationID: e.locationID, status: .booked, performedAt: nil)
            correctionBookings[e.appointmentID] = e
        case .correctionPerformed(let e):
            if let id = e.appointmentID, let booked = treatments[id] {
                markPerformed(
                    id, at: e.at, technicianID: e.technicianID ?? booked.technicianID,
                    locationID: e.locationID ?? booked.locationID)
            }
            if e.method.removesPigment, pigmentRemovedAt == nil {
                pigmentRemovedAt = e.at
                touchUpRecommended = false
            }
        case .adverseReactionReported(let e):
            if let id = e.reactionID { reactions.insert(id) }
        case .healingCheckRecorded, .testimonialRecorded:
            break
        case .photoLogged(let e):
            photos[e.photoID] = PhotoRecord(
                photoID: e.photoID, takenAt: e.at, consentScope: e.consentScope,
                stage: e.stage, approvedForMarketing: false)
        case .photoApprovedForMarketing(let e):
            photos[e.photoID]?.approvedForMarketing = true
            photos[e.photoID]?.marketingApproval = e
        case .marketingApprovalRevoked(let e):
            photos[e.photoID]?.approvedForMarketing = false
            photos[e.photoID]?.marketingApproval = nil
        case .fadeObserved(let e):
            lastFade = e
        case .touchUpRecommended:
            touchUpRecommended = true
        case .paymentReceived(let e):
            receive(e.amount)
        case .refundIssued(let e):
            accountCurrency = accountCurrency ?? e.amount.currency
            refundedMinorUnits += e.amount.minorUnits
            if let depositID = e.depositID { deposits[depositID]?.status = .refunded }
        case .forgotten:
            forget()
        }
    }

    private mutating func receive(_ amount: Money) {
        accountCurrency = accountCurrency ?? amount.currency
        paidMinorUnits += amount.minorUnits
    }

    private mutating func markPerformed(
        _ id: AppointmentID, at: Date, technicianID: TechnicianID,
        locationID: LocationID
    ) {
        treatments[id]?.status = .completed
        treatments[id]?.performedAt = at
        treatments[id]?.technicianID = technicianID
        treatments[id]?.locationID = locationID
    }

    private mutating func forget() {
        isForgotten = true
        personal = nil
        screening?.personal = ScreeningPersonal()
        for (id, consultation) in consultations where consultation.status == .booked {
            consultations[id]?.status = .cancelled
        }
        for (id, treatment) in treatments where treatment.status == .booked {
            treatments[id]?.status = .cancelled
        }
    }
}
