import Foundation

extension ClientRules {
    func register(_ event: ClientRegistered) throws(Rejection) -> Decision {
        guard !client.isRegistered else { throw .clientAlreadyRegistered(client.id) }
        try requireText(event.personal.fullName, "personal.fullName")
        try require(event.personal.dateOfBirth <= CalendarDay(event.at), "personal.dateOfBirth", "is in the future")
        return only(.registered(event))
    }

    func recordScreening(_ event: MedicalScreeningRecorded) throws(Rejection) -> Decision {
        try require(event.hairLoss.isValid, "hairLoss", "\(event.hairLoss) does not exist")
        var event = event
        event.contraindications = Array(Set(event.contraindications)).sorted { $0.rawValue < $1.rawValue }
        return only(.medicalScreeningRecorded(event))
    }

    /// Once the clinic publishes its forms, a signature names a published version, matches its content hash (filled
    /// in when left out) and covers only scopes the form asks for.
    func signConsent(_ event: ConsentSigned) throws(Rejection) -> Decision {
        try requireText(event.formVersion, "formVersion")
        try require(!event.scopes.isEmpty, "scopes", "must name at least one scope")
        try requireNew(event.consentID, "consent", exists: client.consents.contains { $0.consentID == event.consentID })
        var event = event
        if !context.consentForms.isEmpty {
            guard let form = context.consentForms.byVersion[event.formVersion] else {
                throw .unknownConsentForm(event.formVersion)
            }
            guard form.at <= event.at else { throw .unknownConsentForm(event.formVersion) }
            if let hash = event.contentHash, hash != form.contentHash {
                throw .consentFormMismatch(event.formVersion, expected: form.contentHash)
            }
            event.contentHash = form.contentHash
            let extra = Set(event.scopes).subtracting(form.scopes)
            try require(
                extra.isEmpty, "scopes",
                "form \(event.formVersion) does not ask for \(extra.map(\.rawValue).sorted().joined(separator: ", "))")
        } else if let hash = event.contentHash {
            try require(
                hash.utf8.count == 64 && hash.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "contentHash",
                "must be a lower-case hex SHA-256")
        }
        return only(.consentSigned(event))
    }

    func withdrawConsent(_ event: ConsentWithdrawn) throws(Rejection) -> Decision {
        try require(!event.scopes.isEmpty, "scopes", "must name at least one scope")
        for scope in event.scopes where !client.hasConsent(scope, at: event.at) {
            throw .consentMissing(scope, at: event.at)
        }
        guard event.scopes.contains(.marketingPhotos) else { return only(.consentWithdrawn(event)) }
        // Withdrawing marketing consent revokes every marketing approval in force, in the same append: the
        // clinic's take-down list is then the stream's own record, not a projection's inference.
        let approvals = client.photos.values.compactMap(\.marketingApproval).sorted {
            ($0.at, $0.photoID.uuidString) < ($1.at, $1.photoID.uuidString)
        }
        return Decision(
            [pending(.consentWithdrawn(event))]
                + approvals.map { approval in
                    pending(
                        .marketingApprovalRevoked(
                            MarketingApprovalRevoked(
                                at: event.at, photoID: approval.photoID, consentID: approval.consentID,
                                purpose: approval.purpose)))
                })
    }

    func recordHealingCheck(_ event: HealingCheckRecorded) throws(Rejection) -> Decision {
        guard let treatment = client.treatments[event.appointmentID] else {
            throw .unknownAppointment(event.appointmentID)
        }
        guard treatment.status == .completed else {
            throw .appointmentNotBooked(event.appointmentID, status: treatment.status)
        }
        try require(event.day >= 0, "day", "must not be negative")
        return only(.healingCheckRecorded(event))
    }

    func logPhoto(_ event: PhotoLogged) throws(Rejection) -> Decision {
        try requireNew(event.photoID, "photo", exists: client.photos[event.photoID] != nil)
        try require(event.consentScope != .treatment, "consentScope", "must be clinical-photos or marketing-photos")
        try require(
            event.contentHash.count == 64 && event.contentHash.allSatisfy { $0.isHexDigit && !$0.isUppercase },
            "contentHash", "must be a lower-case hex SHA-256")
        try require(event.sizeBytes > 0, "sizeBytes", "must be above zero")
        try requireText(event.mediaType, "mediaType")
        if let density = event.measuredDensity { try requireFraction(density, "measuredDensity") }
        if let width = event.width { try require(width > 0, "width", "must be above zero") }
        if let height = event.height { try require(height > 0, "height", "must be above zero") }
        guard client.hasConsent(event.consentScope, at: event.at) else {
            throw .consentMissing(event.consentScope, at: event.at)
        }
        if let appointment = event.appointmentID { try checkTookPlace(appointment, by: event.at) }
        return only(.photoLogged(event))
    }

    /// A photo (or a note) linked to an appointment is of one that took place: known, not cancelled or missed,
    /// and already started. A "before" photo at a session that the clinic then cancels is never taken.
    func checkTookPlace(_ id: AppointmentID, by date: Date) throws(Rejection) {
        let found: (status: AppointmentStatus, start: Date)? =
            client.consultations[id].map { ($0.status, $0.slot.start) }
            ?? client.treatments[id].map { ($0.status, $0.slot.start) }
        guard let found else { throw .unknownAppointment(id) }
        guard found.status == .booked || found.status == .completed, found.start <= date else {
            throw .appointmentDidNotTakePlace(id, status: found.status, start: found.start)
        }
    }

    /// Marketing use needs a marketing consent signed by the time the photo was taken and never withdrawn.
    func approvePhotoForMarketing(_ event: PhotoApprovedForMarketing) throws(Rejection) -> Decision {
        guard let photo = client.photos[event.photoID] else { throw .unknownPhoto(event.photoID) }
        try requireText(event.purpose, "purpose")
        guard let consent = client.consents.first(where: { $0.consentID == event.consentID }),
            consent.scopes.contains(.marketingPhotos)
        else { throw .unknownMarketingConsent(event.consentID) }
        guard consent.signedAt <= photo.takenAt else {
            throw .marketingConsentMissing(event.photoID, takenAt: photo.takenAt)
        }
        if let withdrawn = consent.withdrawnAt[.marketingPhotos] {
            throw .marketingConsentWithdrawn(event.consentID, on: withdrawn)
        }
        return only(.photoApprovedForMarketing(event))
    }

    func observeFade(_ event: FadeObserved) throws(Rejection) -> Decision {
        try requireTreatmentPerformed()
        try requireFraction(event.density, "density")
        return only(.fadeObserved(event))
    }

    func recommendTouchUp(_ event: TouchUpRecommended) throws(Rejection) -> Decision {
        guard let plan = client.plan else { throw .noTreatmentPlan }
        guard client.isCourseComplete else {
            throw .courseNotComplete(performed: client.sessionsPerformed, planned: plan.sessionsPlanned)
        }
        if let removed = client.pigmentRemovedAt { throw .pigmentRemoved(on: removed) }
        try requireText(event.reason, "reason")
        return only(.touchUpRecommended(event))
    }

    func reportAdverseReaction(_ event: AdverseReactionReported) throws(Rejection) -> Decision {
        try requireTreatmentPerformed()
        if let id = event.appointmentID, client.treatments[id] == nil { throw .unknownAppointment(id) }
        if let id = event.reactionID {
            try requireNew(id, "adverse reaction", exists: client.reactions.contains(id))
        }
        return only(.adverseReactionReported(event))
    }

    func recordTestimonial(_ event: TestimonialRecorded) throws(Rejection) -> Decision {
        try requirePersonalText(event.personal)
        try require((1...5).contains(event.rating), "rating", "must be 1–5, not \(event.rating)")
        if let consentID = event.marketingConsentID {
            guard let consent = client.consents.first(where: { $0.consentID == consentID }),
                consent.scopes.contains(.marketingPhotos)
            else { throw .unknownMarketingConsent(consentID) }
            if let withdrawn = consent.withdrawnAt[.marketingPhotos] {
                throw .marketingConsentWithdrawn(consentID, on: withdrawn)
            }
        }
        return only(.testimonialRecorded(event))
    }

    /// Forgetting releases every slot still booked, on each technician's stream, in the same append.
    func forget(_ event: ClientForgotten) throws(Rejection) -> Decision {
        var events = [pending(.forgotten(event))]
        let booked =
            client.consultations.values.filter { $0.status == .booked }
            .map { ($0.appointmentID, $0.technicianID, $0.slot.start) }
            + client.treatments.values.filter { $0.status == .booked }
            .map { ($0.appointmentID, $0.technicianID, $0.slot.start) }
        let ordered = booked.sorted { ($0.2, $0.0.uuidString) < ($1.2, $1.0.uuidString) }
        for (appointmentID, technicianID, _) in ordered {
            let release = SlotReleased(at: event.at, appointmentID: appointmentID, reason: .clientForgotten)
            events.append(pending(.slotReleased(release), for: technicianID))
        }
        return Decision(events)
    }
}
