import Foundation

extension HistorySimulation {
    /// Runs a client's current step: decides its commands, then schedules the next step.
    func act(_ agent: ClientAgent) {
        switch agent.step {
        case .register: register(agent)
        case .rescheduleConsultation: rescheduleConsultation(agent)
        case .cancelConsultation: cancelConsultation(agent)
        case .rebookConsultation: bookConsultation(agent)
        case .consultationDay: consultationDay(agent)
        case .agreePlan: agreePlan(agent)
        case .bookSession: bookSession(agent)
        case .abandonCourse: abandonCourse(agent)
        case .cancelAndRebook: cancelAndRebook(agent)
        case .sessionDay: treatmentDay(agent, kind: .session)
        case .afterSession: afterSession(agent)
        case .healingCheck: healingCheck(agent)
        case .healed: healed(agent)
        case .fadeCheck: fadeCheck(agent)
        case .touchUpDay: treatmentDay(agent, kind: .touchUp)
        case .afterTouchUp: afterTouchUp(agent)
        case .correctionDay: correctionDay(agent)
        case .afterCorrection: afterCorrection(agent)
        }
    }

    // MARK: Time helpers

    func dayNumber(_ date: Date) -> Int { CalendarDay(date).daysSinceEpoch }

    func time(day: Int, minute: Int) -> Date {
        Date(timeIntervalSince1970: TimeInterval(day) * BusinessTime.day + TimeInterval(minute) * 60)
    }

    /// A wall-clock time at a location, in its own time zone: bookings must fall within its opening hours.
    func localTime(location: Int, day: Int, minute: Int) -> Date {
        LocalTime(day: CalendarDay(daysSinceEpoch: day), minute: minute).date(in: zones[location])
    }

    var rates: BehaviourRates { configuration.rates }

    func isSunday(_ day: Int) -> Bool { ((day % 7) + 7) % 7 == 3 }

    /// A time during opening hours some days from now.
    func businessTime(inDays range: ClosedRange<Int>) -> Date {
        time(day: dayNumber(now) + int(range), minute: int(9 * 60...17 * 60))
    }

    /// A free slot with a technician of the client's location from `earliest` on, searching three weeks.
    func findSlot(_ agent: ClientAgent, consultation: Bool, earliest: Date, minutes: Int)
        -> (technician: Int, slot: TimeSlot)?
    {
        let team = techniciansAt[agent.locationIndex]
        guard !team.isEmpty else { return nil }
        let starts = consultation ? [540, 600, 660, 780, 840, 900, 960] : [540, 780]
        let firstDay = dayNumber(earliest)
        for day in firstDay..<(firstDay + 21) where !isSunday(day) {
            let calendarDay = CalendarDay(daysSinceEpoch: day)
            let rotation = int(0...(team.count - 1))
            for offset in team.indices {
                let index = team[(rotation + offset) % team.count]
                let technician = technicians[index]
                guard technician.isActive, consultation || technician.isCertified(on: calendarDay) else { continue }
                for start in starts {
                    let slot = TimeSlot(
                        start: localTime(location: agent.locationIndex, day: day, minute: start), minutes: minutes)
                    if slot.start > now, slot.start >= earliest, technician.conflictingReservation(with: slot) == nil {
                        return (index, slot)
                    }
                }
            }
        }
        return nil
    }

    // MARK: Registration and consultation

    private func register(_ agent: ClientAgent) {
        agent.isWoman = chance(0.15)
        agent.hairLoss =
            agent.isWoman
            ? .ludwig(1 + weighted([35, 45, 20]))
            : .norwood(1 + weighted([3, 12, 20, 20, 18, 15, 12]))
        agent.fitzpatrick = FitzpatrickType.allCases[weighted([8, 20, 25, 20, 15, 12])]
        agent.product =
            switch agent.fitzpatrick {
            case .i, .ii: 0
            case .iii, .iv: 1
            case .v, .vi: 2
            }
        agent.sessionsPlanned = 2 + weighted([25, 55, 20])
        agent.courseTotal = price(1800...3200)
        agent.depositMinor = price(200...500)
        agent.depositRefundable = chance(0.35)
        agent.consultationFee = chance(0.4) ? 0 : price(50...100)
        agent.fadeRate = 0.05 + unit() * 0.1
        agent.sweats = chance(0.3)
        agent.swims = chance(0.2)
        agent.touchUpAfterYears = 2 + unit() * 4

        let first = pick(agent.isWoman ? GeneratorCatalog.femaleFirstNames : GeneratorCatalog.maleFirstNames)
        let last = pick(GeneratorCatalog.lastNames)
        let email = "\(first).\(last)\(int(1...999))@example.com".lowercased().replacingOccurrences(of: "'", with: "")
        let birth = CalendarDay(now).adding(days: -int(20 * 365...68 * 365))
        let personal = PersonalDetails(
            fullName: "\(first) \(last)",
            contact: ContactDetails(email: email, phone: "+1-555-\(String(int(0...9999)).leftPadded(to: 4))"),
            dateOfBirth: birth)
        let location = locations[agent.locationIndex].id
        guard
            attempt(
                agent,
                .register(
                    ClientRegistered(
                        at: now, personal: personal, referralSource: pick(GeneratorCatalog.referrals),
                        preferredLocationID: location)))
        else { return }

        var contraindications: [Contraindication] = []
        if chance(0.08) { contraindications.append(.diabetes) }
        if chance(0.04) {
            contraindications.append(pick([.keloidHistory, .bleedingDisorder, .radiotherapy, .activeScalpCondition]))
            agent.blocking = true
        }
        let medications = contraindications.contains(.diabetes) ? ["Metformin"] : (chance(0.2) ? ["Finasteride"] : [])
        attempt(
            agent,
            .recordScreening(
                MedicalScreeningRecorded(
                    at: now, fitzpatrick: agent.fitzpatrick, hairLoss: agent.hairLoss,
                    scalpOiliness: ScalpOiliness.allCases[
                        weighted([15, 50, 25, 10])], contraindications: contraindications,
                    personal: ScreeningPersonal(currentMedications: medications, medicalNotes: ""))))
        var scopes: [ConsentScope] = [.treatment, .clinicalPhotos]
        if chance(0.4) { scopes.append(.marketingPhotos) }
        let consentID = uuid()
        let formVersion = now < CalendarDay(year: 2023, month: 6, day: 1)?.startDate ?? now ? "2018-11" : "2023-06"
        if attempt(
            agent,
            .signConsent(
                ConsentSigned(
                    at: now, consentID: consentID, formVersion: formVersion,
                    scopes: scopes))),
            scopes.contains(.marketingPhotos)
        {
            agent.marketingConsentID = consentID
        }
        bookConsultation(agent)
    }

    func bookConsultation(_ agent: ClientAgent) {
        guard
            let (technician, slot) = findSlot(
                agent, consultation: true, earliest: businessTime(inDays: 2...10),
                minutes: 60)
        else { return }
        let id = uuid()
        let location = agent.locationIndex
        guard
            attempt(
                agent,
                .bookConsultation(
                    ConsultationBooked(
                        at: now, appointmentID: id, slot: slot, locationID: locations[location].id,
                        technicianID: technicians[technician].id)), technician: technician, location: location)
        else { return }
        agent.appointment = (id, slot, technician)
        let halfway = now.addingTimeInterval(slot.start.timeIntervalSince(now) / 2)
        let roll = unit()
        if roll < rates.consultationReschedule {
            schedule(agent, .rescheduleConsultation, at: halfway)
        } else if roll < rates.consultationReschedule + rates.consultationCancellation {
            schedule(agent, .cancelConsultation, at: halfway)
        } else {
            schedule(agent, .consultationDay, at: slot.start)
        }
    }

    private func rescheduleConsultation(_ agent: ClientAgent) {
        guard let current = agent.appointment else { return }
        let earliest = current.slot.start.addingTimeInterval(BusinessTime.day * Double(int(1...7)))
        guard let (technician, slot) = findSlot(agent, consultation: true, earliest: earliest, minutes: 60),
            attempt(
                agent,
                .rescheduleConsultation(
                    ConsultationRescheduled(
                        at: now, appointmentID: current.id, slot: slot, locationID: locations[agent.locationIndex].id,
                        technicianID: technicians[technician].id)), technician: technician,
                location: agent.locationIndex)
        else {
            schedule(agent, .consultationDay, at: current.slot.start)
            return
        }
        agent.appointment = (current.id, slot, technician)
        schedule(agent, .consultationDay, at: slot.start)
    }

    private func cancelConsultation(_ agent: ClientAgent) {
        guard let current = agent.appointment else { return }
        attempt(
            agent,
            .cancelConsultation(
                ConsultationCancelled(
                    at: now, appointmentID: current.id, cancelledBy: .client, reason: "Could not make it")))
        agent.appointment = nil
        if chance(0.5) { schedule(agent, .rebookConsultation, at: businessTime(inDays: 3...20)) }
    }

    private func consultationDay(_ agent: ClientAgent) {
        guard let current = agent.appointment else { return }
        if chance(rates.consultationNoShow) {
            agent.noShows += 1
            attempt(agent, .markConsultationNoShow(ConsultationNoShow(at: now, appointmentID: current.id)))
            // A studio offers one more consultation after a missed one, not a third.
            if agent.noShows < 2 { schedule(agent, .rebookConsultation, at: businessTime(inDays: 2...6)) }
            return
        }
        let technician = technicians[current.technician]
        let design = HairlineDesign(
            shape: agent.isWoman ? .none : pick([.straight, .rounded, .mature, .widowsPeak]),
            edgeSoftness: pick(EdgeSoftness.allCases), heightCentimetres: 6 + Double(int(0...30)) / 10,
            symmetry: pick(HairlineSymmetry.allCases))
        let held = ConsultationHeld(
            at: now, appointmentID: current.id,
            assessment: ScalpAssessment(
                hairLoss: agent.hairLoss, pattern: agent.isWoman ? "diffuse thinning" : "receding with crown loss",
                skinTone: agent.fitzpatrick, naturalHairColour: pick(GeneratorCatalog.hairColours)),
            design: design, chosenShade: GeneratorCatalog.shades[agent.product],
            targetDensity: 0.75 + Double(int(0...20)) / 100, treatedAreaSquareCentimetres: int(120...600),
            sessionsPlanned: agent.sessionsPlanned, quotedPrice: money(agent.courseTotal),
            statedGoals: agent.isWoman ? "Less visible scalp through thinning hair" : "A natural buzz-cut look")
        // The "before" photos are taken at the consultation, so only when it takes place.
        guard refusal(agent, .holdConsultation(held)) == nil else { return }
        for angle in [PhotoAngle.front, .top] {
            logPhoto(agent, stage: .before, angle: angle, appointment: current.id)
        }
        guard attempt(agent, .holdConsultation(held)) else { return }
        if agent.consultationFee > 0 {
            attempt(
                agent,
                .receivePayment(
                    PaymentReceived(
                        at: now, paymentID: uuid(), amount: money(agent.consultationFee), method: .card,
                        purpose: .consultation, appointmentID: current.id,
                        locationID: locations[agent.locationIndex].id,
                        technicianID: technician.id)))
        }
        giveInstructions(agent, .preCare, appointment: current.id)
        if agent.blocking {
            guard chance(0.5) else { return }
            agent.override = ContraindicationOverride(
                technicianID: technician.id, reason: "Physician's clearance letter on file; patch test passed")
        }
        guard chance(0.92) else { return }
        schedule(agent, .agreePlan, at: businessTime(inDays: 1...10))
    }

    // MARK: Course

    private func agreePlan(_ agent: ClientAgent) {
        let package = chance(0.6)
        let perSession = agent.courseTotal / Int64(agent.sessionsPlanned) / 5000 * 5000
        let pricing = PlanPricing(
            model: package ? .package : .perSession,
            price: money(package ? agent.courseTotal : perSession))
        agent.courseTotal = pricing.total(sessions: agent.sessionsPlanned).minorUnits
        guard
            attempt(
                agent,
                .agreeTreatmentPlan(
                    TreatmentPlanAgreed(
                        at: now, sessionsPlanned: agent.sessionsPlanned, pricing: pricing,
                        depositDue: money(agent.depositMinor))))
        else { return }
        let depositID = uuid()
        if attempt(
            agent,
            .takeDeposit(
                DepositTaken(
                    at: now, depositID: depositID, amount: money(agent.depositMinor),
                    refundable: agent.depositRefundable,
                    method: pick([.card, .card, .cash, .bankTransfer]))))
        {
            agent.depositID = depositID
        }
        bookSession(agent)
    }

    private func bookSession(_ agent: ClientAgent) {
        let interval = TimeInterval(settings.healingIntervalDays) * BusinessTime.day
        var earliest = now.addingTimeInterval(BusinessTime.day * Double(int(3...14)))
        if let last = agent.state.latestTreatmentTime {
            earliest = max(earliest, last.addingTimeInterval(interval + BusinessTime.day * Double(int(0...21))))
        }
        let minutes = 150 + 30 * int(0...3)
        agent.bookingAttempts += 1
        guard agent.bookingAttempts < 12 else { return }
        guard let (technician, slot) = findSlot(agent, consultation: false, earliest: earliest, minutes: minutes)
        else {
            schedule(agent, .bookSession, at: businessTime(inDays: 7...14))
            return
        }
        topUpDeposit(agent)
        signRevisedConsent(agent, for: slot.start)
        let id = uuid()
        let number = agent.state.sessionsScheduledOrPerformed + 1
        guard
            attempt(
                agent,
                .bookSession(
                    SessionBooked(
                        at: now, appointmentID: id, sessionNumber: number, slot: slot,
                        locationID: locations[agent.locationIndex].id, technicianID: technicians[technician].id,
                        contraindicationOverride: agent.override)), technician: technician,
                location: agent.locationIndex)
        else { return }
        agent.appointment = (id, slot, technician)
        let roll = unit()
        let abandonment = number == 1 ? rates.courseAbandonment : 0
        if roll < abandonment {
            schedule(agent, .abandonCourse, at: cancellationTime(before: slot.start))
        } else if roll < abandonment + rates.sessionCancellation {
            schedule(agent, .cancelAndRebook, at: cancellationTime(before: slot.start))
        } else {
            schedule(agent, .sessionDay, at: slot.start)
        }
    }

    /// Where the location's deposit policy asks more deposit than the client has held or applied (the policy came
    /// in after they paid, or kept or refunded their deposit when they missed or cancelled), the front desk takes
    /// the difference before booking.
    private func topUpDeposit(_ agent: ClientAgent) {
        let location = locations[agent.locationIndex].id
        guard let policy = settingsState.settings(at: location).depositPolicy, let plan = agent.state.plan else {
            return
        }
        let required = policy.required(forCoursePrice: plan.pricing.total(sessions: plan.sessionsPlanned))
        let covered = agent.state.deposits.values.reduce(Int64(0)) { sum, deposit in
            sum + (deposit.status == .held || deposit.status == .applied ? deposit.amount.minorUnits : 0)
        }
        guard covered < required.minorUnits else { return }
        let depositID = uuid()
        if attempt(
            agent,
            .takeDeposit(
                DepositTaken(
                    at: now, depositID: depositID, amount: money(required.minorUnits - covered),
                    refundable: agent.depositRefundable, method: pick([.card, .card, .cash]))))
        {
            agent.depositID = depositID
        }
    }

    /// After the clinic published a consent form requiring re-consent, the client signs it (with the scopes they
    /// still consent to) at the front desk before the next treatment is booked or performed.
    func signRevisedConsent(_ agent: ClientAgent, for date: Date) {
        let forms = settingsState.consentForms
        guard let form = forms.reconsentRequirement(for: .treatment, at: date) else { return }
        let signed = agent.state.consents.contains { consent in
            consent.covers(.treatment, at: now) && forms.version(consent.formVersion, isAtLeast: form.formVersion)
        }
        guard !signed else { return }
        var scopes: [ConsentScope] = [.treatment, .clinicalPhotos]
        let marketing = agent.state.hasConsent(.marketingPhotos, at: now)
        if marketing { scopes.append(.marketingPhotos) }
        let consentID = uuid()
        if attempt(
            agent,
            .signConsent(ConsentSigned(at: now, consentID: consentID, formVersion: form.formVersion, scopes: scopes))),
            marketing
        {
            agent.marketingConsentID = consentID
        }
    }

    /// When a client cancels: most with notice, some (`lateCancellationShare`) inside the cancellation window.
    private func cancellationTime(before start: Date) -> Date {
        let lead = start.timeIntervalSince(now)
        if chance(rates.lateCancellationShare) {
            let window = max(3, settings.cancellationWindowHours)
            return start.addingTimeInterval(-min(lead / 2, TimeInterval(int(2...(window - 1))) * 3600))
        }
        return now.addingTimeInterval(max(0, lead - 3 * BusinessTime.day) * 0.6)
    }

    /// The client cancels the first session and gives up: a refundable deposit is refunded, else forfeited.
    private func abandonCourse(_ agent: ClientAgent) {
        guard let current = agent.appointment else { return }
        attempt(
            agent,
            .cancelSession(
                SessionCancelled(
                    at: now, appointmentID: current.id, cancelledBy: .client, reason: "Changed their mind")))
        // Where a deposit policy applies it already forfeited or refunded the deposit with the cancellation.
        guard let depositID = agent.depositID, agent.state.deposits[depositID]?.status == .held else { return }
        if agent.depositRefundable {
            attempt(
                agent,
                .issueRefund(
                    RefundIssued(
                        at: now, refundID: uuid(), amount: money(agent.depositMinor), method: .card,
                        reason: "Deposit refunded on cancellation", depositID: depositID)))
        } else {
            attempt(
                agent,
                .forfeitDeposit(
                    DepositForfeited(
                        at: now, depositID: depositID, reason: "Course cancelled; non-refundable deposit")))
        }
    }

    private func cancelAndRebook(_ agent: ClientAgent) {
        guard let current = agent.appointment else { return }
        attempt(
            agent,
            .cancelSession(
                SessionCancelled(
                    at: now, appointmentID: current.id, cancelledBy: .client, reason: "Schedule conflict")))
        agent.appointment = nil
        bookSession(agent)
    }

    /// A session or touch-up day: a no-show, or the treatment. When a rule refuses it on the day (the pigment was
    /// recalled, the technician's certification lapsed or they left), the clinic cancels, says why, and rebooks;
    /// the "before" photo is taken only when the treatment goes ahead.
    private func treatmentDay(_ agent: ClientAgent, kind: AppointmentKind) {
        guard let current = agent.appointment else { return }
        if chance(rates.treatmentNoShow) {
            agent.noShows += 1
            attempt(agent, .markSessionNoShow(SessionNoShow(at: now, appointmentID: current.id)))
            waiveForfeit(agent)
            rebook(agent, kind: kind)
            return
        }
        let day = CalendarDay(now)
        let technician = technicians[current.technician].id
        let location = locations[agent.locationIndex].id
        guard let batchIndex = batch(product: agent.product, on: day) else {
            return cancelByClinic(
                agent, current.id, kind: kind,
                reason: "No usable batch of \(GeneratorCatalog.products[agent.product]) in stock")
        }
        let batch = batches[batchIndex]
        let record = TreatmentRecord(
            areasTreated: agent.isWoman ? [.diffuseThinning] : areas(agent),
            needleConfiguration: pick(GeneratorCatalog.needles),
            pigment: PigmentUse(
                product: batch.received?.product ?? "", batchNumber: batch.id,
                batchExpiresOn: batch.received?.expiresOn ?? day,
                dilution: "\(GeneratorCatalog.shades[agent.product]), \(int(1...4) * 10)% diluted"),
            dotDensity: dotDensity(agent, kind: kind),
            durationMinutes: Int(current.slot.duration / 60), anaesthetic: pick([.none, .topicalLidocaine]))
        let command: ClientCommand =
            kind == .touchUp
            ? .performTouchUp(
                TouchUpPerformed(
                    at: now, appointmentID: current.id, locationID: location, technicianID: technician,
                    treatment: record))
            : .performSession(
                SessionPerformed(
                    at: now, appointmentID: current.id, sessionNumber: agent.state.sessionsPerformed + 1,
                    locationID: location, technicianID: technician, treatment: record))
        signRevisedConsent(agent, for: now)
        if let rejection = refusal(agent, command, technician: current.technician, batch: batchIndex) {
            return cancelByClinic(agent, current.id, kind: kind, reason: "Could not treat as booked: \(rejection)")
        }
        if kind == .session { logPhoto(agent, stage: .before, angle: .top, appointment: current.id) }
        guard attempt(agent, command, technician: current.technician, batch: batchIndex) else { return }
        agent.lastPerformed = (current.id, current.technician, batch.id)
        agent.clinicCancellations = 0
        schedule(agent, kind == .touchUp ? .afterTouchUp : .afterSession, at: current.slot.end)
    }

    /// One automatic forfeit in five is waived by the manager (the client called in sick): the deposit is held
    /// again and covers the rebooking.
    private func waiveForfeit(_ agent: ClientAgent) {
        guard let depositID = agent.depositID, agent.state.deposits[depositID]?.status == .forfeited,
            chance(0.2)
        else { return }
        attempt(
            agent,
            .reverseDepositForfeit(
                DepositForfeitReversed(
                    at: now, depositID: depositID, reversedBy: GeneratorCatalog.owner,
                    reason: "Client called in sick; forfeit waived")))
    }

    /// Dots laid per session, building up over the course (about 0.35, 0.55, 0.75, 0.85); a touch-up fills in
    /// faded areas (0.4–0.6). Always within 0–1: the decider refuses more, which once made the clinic cancel every
    /// fourth session (0.3 + 3 × 0.25 > 1) and every touch-up after a three-session course.
    private func dotDensity(_ agent: ClientAgent, kind: AppointmentKind) -> Double {
        if kind == .touchUp { return 0.4 + unit() * 0.2 }
        let base = [0.35, 0.55, 0.75, 0.85][min(agent.state.sessionsPerformed, 3)]
        return base + unit() * 0.1
    }

    /// The clinic cancels a treatment it cannot perform and rebooks it; after a second cancellation in a row it
    /// stops rebooking and the client is contacted outside the system (a studio would not try a third time blind).
    private func cancelByClinic(
        _ agent: ClientAgent, _ appointment: AppointmentID, kind: AppointmentKind, reason: String
    ) {
        attempt(
            agent,
            .cancelSession(SessionCancelled(at: now, appointmentID: appointment, cancelledBy: .clinic, reason: reason)))
        agent.clinicCancellations += 1
        guard agent.clinicCancellations < 2 else {
            agent.appointment = nil
            return
        }
        rebook(agent, kind: kind)
    }

    private func rebook(_ agent: ClientAgent, kind: AppointmentKind) {
        agent.appointment = nil
        if kind == .touchUp { bookTouchUp(agent) } else { bookSession(agent) }
    }

    private func areas(_ agent: ClientAgent) -> [ScalpArea] {
        switch agent.hairLoss.stage {
        case ...2: [.frontalHairline, .temples]
        case 3...4: [.frontalHairline, .temples, .midScalp]
        case 5...6: [.frontalHairline, .temples, .midScalp, .crown]
        default: [.fullScalp]
        }
    }

    private func afterSession(_ agent: ClientAgent) {
        guard let current = agent.appointment else { return }
        logPhoto(agent, stage: .immediatelyAfter, angle: .top, appointment: current.id)
        if !chance(rates.aftercareForgotten) { giveInstructions(agent, .aftercare, appointment: current.id) }
        let number = agent.state.sessionsPerformed
        if number == 1, let depositID = agent.depositID, agent.state.deposits[depositID]?.status == .held {
            attempt(agent, .applyDeposit(DepositApplied(at: now, depositID: depositID)))
        }
        // Instalments: the price less the deposit, split over the sessions; the last one settles the rest.
        let due = agent.courseTotal + agent.consultationFee - agent.state.netPaidMinorUnits
        let remainingSessions = Int64(max(1, agent.sessionsPlanned - number + 1))
        let amount = number >= agent.sessionsPlanned ? due : due / remainingSessions / 100 * 100
        if amount > 0 {
            attempt(
                agent,
                .receivePayment(
                    PaymentReceived(
                        at: now, paymentID: uuid(), amount: money(amount),
                        method: pick([.card, .card, .cash, .financing]),
                        purpose: agent.state.plan?.pricing.model == .package ? .package : .session,
                        appointmentID: current.id, locationID: locations[agent.locationIndex].id,
                        technicianID: technicians[current.technician].id)))
        }
        schedule(agent, .healingCheck, at: time(day: dayNumber(now) + 7, minute: int(9 * 60...17 * 60)))
    }

    private func healingCheck(_ agent: ClientAgent) {
        guard let performed = agent.lastPerformed else { return }
        if let given = agent.state.instructions[performed.appointment]?[.aftercare], given.acknowledgedAt == nil,
            chance(rates.verbalAcknowledgementAtCheck)
        {
            attempt(
                agent,
                .acknowledgeInstructions(
                    InstructionsAcknowledged(
                        at: now, appointmentID: performed.appointment, kind: .aftercare, method: .verbal)))
        }
        let assessment = HealingAssessment.allCases[weighted([90, 5, 3, 1, 1])]
        // Most keep to the aftercare for a week; the habitual gym-goer and swimmer lapse more often.
        let compliance = CareCompliance(
            sun: chance(0.1) ? .lapsed : .kept, sweating: chance(agent.sweats ? 0.4 : 0.05) ? .lapsed : .kept,
            swimming: chance(agent.swims ? 0.2 : 0.02) ? .lapsed : .kept)
        attempt(
            agent,
            .recordHealingCheck(
                HealingCheckRecorded(
                    at: now, appointmentID: performed.appointment, day: 7, assessment: assessment,
                    personal: assessment == .normal ? nil : MedicalNotes(notes: "Advised extra aftercare"),
                    compliance: compliance)))
        logPhoto(agent, stage: .healingDay(7), angle: .top, appointment: performed.appointment)
        if assessment != .normal, chance(0.4) {
            let reactionID = uuid()
            if attempt(
                agent,
                .reportAdverseReaction(
                    AdverseReactionReported(
                        at: now, kind: assessment == .pigmentMigration ? .pigmentMigration : .prolongedRedness,
                        severity: assessment == .infectionSuspected ? .moderate : .mild,
                        appointmentID: performed.appointment,
                        pigmentBatch: performed.batch, personal: MedicalNotes(notes: "Reported at the day-7 check"),
                        reactionID: reactionID)))
            {
                agent.reactionID = reactionID
            }
        }
        if agent.state.isCourseComplete {
            schedule(agent, .healed, at: businessTime(inDays: 23...30))
        } else {
            agent.bookingAttempts = 0
            bookSession(agent)
        }
    }

    // MARK: After the course

    private func healed(_ agent: ClientAgent) {
        let marketing = agent.marketingConsentID != nil && agent.state.hasConsent(.marketingPhotos, at: now)
        let photo = logPhoto(
            agent, stage: .healed, angle: .front, appointment: nil,
            scope: marketing ? .marketingPhotos : .clinicalPhotos)
        if marketing, let photo, let consentID = agent.marketingConsentID, chance(0.6) {
            attempt(
                agent,
                .approvePhotoForMarketing(
                    PhotoApprovedForMarketing(
                        at: now, photoID: photo, consentID: consentID, purpose: "Website gallery")))
        }
        attempt(
            agent,
            .observeFade(
                FadeObserved(
                    at: now, density: 0.9 + unit() * 0.1, method: .photoAnalysis, uvExposure: nil)))
        if chance(0.35) {
            let rating = 3 + weighted([5, 30, 65])
            attempt(
                agent,
                .recordTestimonial(
                    TestimonialRecorded(
                        at: now,
                        text: rating == 5 ? "Nobody can tell it is not hair." : "Looks good, healing took a while.",
                        rating: rating, marketingConsentID: marketing ? agent.marketingConsentID : nil)))
        }
        if chance(0.03) {
            let amount = min(agent.courseTotal / 10 / 100 * 100, agent.state.refundableMinorUnits)
            if amount > 0 {
                attempt(
                    agent,
                    .issueRefund(
                        RefundIssued(
                            at: now, refundID: uuid(), amount: money(amount), method: .card,
                            reason: "Goodwill: uneven density at the crown")))
            }
        }
        // One client in a hundred is unhappy with the healed result and complains; half have the pigment removed at a
        // partner laser clinic (recorded), half in-house (booked under consent, priced, earned when performed).
        if chance(0.01) {
            let complaintID = uuid()
            attempt(
                agent,
                .recordComplaint(
                    ComplaintRecorded(
                        at: now, complaintID: complaintID, topic: pick([.hairlineShape, .colour, .unevenDensity]),
                        appointmentID: agent.lastPerformed?.appointment,
                        personal: MedicalNotes(notes: "Unhappy with the healed result"))))
            if chance(0.5) {
                if attempt(
                    agent,
                    .performCorrection(
                        CorrectionPerformed(
                            at: now, method: .laserRemoval, sessionNumber: 1, areas: [.frontalHairline],
                            provider: "Partner laser clinic")))
                {
                    return  // the pigment is gone: no fade checks, no touch-ups
                }
            } else if bookCorrection(
                agent, method: .laserRemoval, cause: CorrectionCause(kind: .complaint, id: complaintID))
            {
                return
            }
        }
        // Half of the clients who reported a reaction come back for a pigment correction of the affected area.
        if let reaction = agent.reactionID, chance(0.5),
            bookCorrection(
                agent, method: .pigmentCorrection, cause: CorrectionCause(kind: .adverseReaction, id: reaction))
        {
            return
        }
        agent.cycleStart = now
        schedule(agent, .fadeCheck, at: businessTime(inDays: 330...400))
    }

    private func fadeCheck(_ agent: ClientAgent) {
        let years = now.timeIntervalSince(agent.cycleStart ?? now) / (365.25 * BusinessTime.day)
        let uv = UVExposure.allCases[weighted([40, 40, 20])]
        let habits = (uv == .high ? 1.3 : 1) * (agent.sweats ? 1.15 : 1) * (agent.swims ? 1.15 : 1)
        let density = min(1, max(0, 0.97 * exp(-agent.fadeRate * years * habits) + unit() * 0.04))
        // Three in four follow-ups ask about sweating and swimming habits since the last visit.
        let asked = chance(0.75)
        attempt(
            agent,
            .observeFade(
                FadeObserved(
                    at: now, density: density, method: pick(FadeMeasurementMethod.allCases), uvExposure: uv,
                    compliance: asked
                        ? CareCompliance(
                            sweating: agent.sweats ? .lapsed : .kept, swimming: agent.swims ? .lapsed : .kept)
                        : nil)))
        if chance(0.01) {
            attempt(agent, .forget(ClientForgotten(at: now, reason: "Erasure request")))
            return
        }
        if agent.marketingConsentID != nil, agent.state.hasConsent(.marketingPhotos, at: now), chance(0.05) {
            attempt(
                agent,
                .withdrawConsent(
                    ConsentWithdrawn(
                        at: now, formVersion: "2023-06",
                        scopes: [.marketingPhotos])))
        }
        guard years >= agent.touchUpAfterYears else {
            schedule(agent, .fadeCheck, at: businessTime(inDays: 330...400))
            return
        }
        attempt(
            agent,
            .recommendTouchUp(
                TouchUpRecommended(
                    at: now, reason: "Density down to \(Int(density * 100))%", recommendedBy: nil)))
        agent.bookingAttempts = 0
        bookTouchUp(agent)
    }

    private func bookTouchUp(_ agent: ClientAgent) {
        agent.bookingAttempts += 1
        guard agent.bookingAttempts < 8 else { return }
        renewScreeningIfDue(agent)
        guard
            let (technician, slot) = findSlot(
                agent, consultation: false,
                earliest: businessTime(inDays: 3...30), minutes: 120)
        else {
            schedule(agent, .fadeCheck, at: businessTime(inDays: 60...90))
            return
        }
        signRevisedConsent(agent, for: slot.start)
        let id = uuid()
        guard
            attempt(
                agent,
                .bookTouchUp(
                    TouchUpBooked(
                        at: now, appointmentID: id, slot: slot, locationID: locations[agent.locationIndex].id,
                        technicianID: technicians[technician].id, quotedPrice: money(touchUpPrice(agent)),
                        contraindicationOverride: agent.override)), technician: technician,
                location: agent.locationIndex)
        else { return }
        agent.appointment = (id, slot, technician)
        schedule(agent, .touchUpDay, at: slot.start)
    }

    /// A screening that would lapse before a touch-up booked in the next two months is renewed first (the clinic
    /// asks again about medications and conditions); the findings carry over unless they changed.
    private func renewScreeningIfDue(_ agent: ClientAgent) {
        guard let screening = agent.state.screening else { return }
        let validUntil = CalendarDay(screening.at).adding(months: settings.screeningValidityMonths)
        guard validUntil < CalendarDay(now).adding(days: 60) else { return }
        var renewed = screening
        renewed.at = now
        attempt(agent, .recordScreening(renewed))
    }

    /// Books a correction session two to five weeks out, with a technician of the client's location.
    private func bookCorrection(_ agent: ClientAgent, method: CorrectionMethod, cause: CorrectionCause) -> Bool {
        renewScreeningIfDue(agent)
        guard
            let (technician, slot) = findSlot(
                agent, consultation: false, earliest: businessTime(inDays: 14...35), minutes: 90)
        else { return false }
        let id = uuid()
        let amount = method == .pigmentCorrection ? price(300...600) : price(400...800)
        guard
            attempt(
                agent,
                .bookCorrection(
                    CorrectionBooked(
                        at: now, appointmentID: id, method: method, sessionNumber: 1, slot: slot,
                        locationID: locations[agent.locationIndex].id, technicianID: technicians[technician].id,
                        quotedPrice: money(amount), cause: cause, contraindicationOverride: agent.override)),
                technician: technician, location: agent.locationIndex)
        else { return false }
        agent.correction = (id, slot, technician, method, amount)
        schedule(agent, .correctionDay, at: slot.start)
        return true
    }

    private func correctionDay(_ agent: ClientAgent) {
        guard let booking = agent.correction else { return }
        let command = ClientCommand.performCorrection(
            CorrectionPerformed(
                at: now, method: booking.method, sessionNumber: 1,
                areas: agent.isWoman ? [.diffuseThinning] : areas(agent),
                provider: locations[agent.locationIndex].opened?.name ?? "the studio",
                technicianID: technicians[booking.technician].id, appointmentID: booking.id))
        if let rejection = refusal(agent, command, technician: booking.technician) {
            attempt(
                agent,
                .cancelSession(
                    SessionCancelled(
                        at: now, appointmentID: booking.id, cancelledBy: .clinic,
                        reason: "Could not treat as booked: \(rejection)")))
            agent.correction = nil
            agent.cycleStart = now
            schedule(agent, .fadeCheck, at: businessTime(inDays: 330...400))
            return
        }
        attempt(agent, command, technician: booking.technician)
        schedule(agent, .afterCorrection, at: booking.slot.end)
    }

    private func afterCorrection(_ agent: ClientAgent) {
        guard let booking = agent.correction else { return }
        agent.correction = nil
        if !chance(rates.aftercareForgotten) { giveInstructions(agent, .aftercare, appointment: booking.id) }
        attempt(
            agent,
            .receivePayment(
                PaymentReceived(
                    at: now, paymentID: uuid(), amount: money(booking.price), method: .card, purpose: .correction,
                    appointmentID: booking.id, locationID: locations[agent.locationIndex].id,
                    technicianID: technicians[booking.technician].id)))
        guard !booking.method.removesPigment else { return }  // removed: no fade checks, no touch-ups
        agent.cycleStart = now
        schedule(agent, .fadeCheck, at: businessTime(inDays: 330...400))
    }

    private func touchUpPrice(_ agent: ClientAgent) -> Int64 { agent.courseTotal / 3 / 5000 * 5000 }

    private func afterTouchUp(_ agent: ClientAgent) {
        guard let current = agent.appointment else { return }
        logPhoto(agent, stage: .immediatelyAfter, angle: .top, appointment: current.id)
        if !chance(rates.aftercareForgotten) { giveInstructions(agent, .aftercare, appointment: current.id) }
        attempt(
            agent,
            .receivePayment(
                PaymentReceived(
                    at: now, paymentID: uuid(), amount: money(touchUpPrice(agent)), method: .card, purpose: .touchUp,
                    appointmentID: current.id, locationID: locations[agent.locationIndex].id,
                    technicianID: technicians[current.technician].id)))
        agent.cycleStart = now
        agent.touchUpAfterYears = 2 + unit() * 4
        schedule(agent, .fadeCheck, at: businessTime(inDays: 330...400))
    }

    /// Gives the version of the clinic's care set in force now; a printed sheet is signed for on the spot.
    private func giveInstructions(_ agent: ClientAgent, _ kind: InstructionKind, appointment: AppointmentID) {
        guard let version = careSet.version(inForceAt: now)?.number else { return }
        let channel = pick(DeliveryChannel.allCases)
        guard
            attempt(
                agent,
                .giveInstructions(
                    InstructionsGiven(
                        at: now, kind: kind, instructionSetID: careSet.id, instructionSetVersion: version,
                        appointmentID: appointment, channel: channel)))
        else { return }
        if channel == .printed {
            attempt(
                agent,
                .acknowledgeInstructions(
                    InstructionsAcknowledged(at: now, appointmentID: appointment, kind: kind, method: .signature)))
        }
    }

    /// The density a photo analysis would read after `sessionsDone` of `sessionsPlanned` sessions: each session
    /// adds a layer (about 45 %, 70 %, 95 % of the full result over three), fresh pigment reads a little darker
    /// right after a session and a little lighter while it flakes in the first days, and `noise` (0–1) moves it
    /// by at most ±0.02. So consecutive photos of one client follow the course instead of jumping at random.
    static func photoDensity(stage: PhotoStage, sessionsDone: Int, sessionsPlanned: Int, noise: Double) -> Double {
        let built = min(1, Double(max(0, sessionsDone)) / Double(max(1, sessionsPlanned)))
        let base = 0.95 * pow(built, 0.7)
        let shift: Double
        switch stage {
        case .immediatelyAfter: shift = 0.04
        case .healingDay: shift = -0.03
        default: shift = 0
        }
        return min(1, max(0.02, base + shift + (noise - 0.5) * 0.04))
    }

    @discardableResult
    private func logPhoto(
        _ agent: ClientAgent, stage: PhotoStage, angle: PhotoAngle, appointment: AppointmentID?,
        scope: ConsentScope = .clinicalPhotos
    ) -> PhotoID? {
        let id = uuid()
        // One draw of noise, taken exactly when the earlier uniform density took it, so the rest of a seeded
        // history is the same as before.
        let density: Double? =
            stage == .before
            ? nil
            : Self.photoDensity(
                stage: stage, sessionsDone: agent.state.sessionsPerformed, sessionsPlanned: agent.sessionsPlanned,
                noise: unit())
        let accepted = attempt(
            agent,
            .logPhoto(
                PhotoLogged(
                    at: now, photoID: id, contentHash: contentHash(), sizeBytes: int(900_000...4_500_000),
                    mediaType: "image/jpeg", stage: stage, angle: angle, consentScope: scope, measuredDensity: density,
                    appointmentID: appointment)))
        return accepted ? id : nil
    }
}
