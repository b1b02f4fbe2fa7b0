import Foundation
import Testing
@testable import Clinic

@Suite("Generated clinic history")
struct ClinicHistoryTests {
    static let small = HistoryConfiguration(seed: 42, clientCount: 25)
    static let medium = HistoryConfiguration(seed: 7, clientCount: 200)

    static func encoded(_ configuration: HistoryConfiguration) throws -> [String] {
        try ClinicHistory(configuration).map { pending in
            let encoded = try pending.event.encoded()
            return "\(pending.stream) \(encoded.type) v\(encoded.schemaVersion) "
                + String(decoding: encoded.data, as: UTF8.self)
        }
    }

    @Test func theSameSeedGivesTheSameEvents() throws {
        let first = try Self.encoded(Self.small)
        let second = try Self.encoded(Self.small)
        #expect(first.count > 300)
        #expect(first == second)
    }

    @Test func anotherSeedGivesAnotherHistory() throws {
        var other = Self.small
        other.seed = 43
        #expect(try Self.encoded(Self.small) != Self.encoded(other))
    }

    @Test func eventsComeInNondecreasingBusinessTimeWithinThePeriod() {
        var last = Date.distantPast
        var count = 0
        for pending in ClinicHistory(Self.small) {
            #expect(pending.event.at >= last)
            #expect(pending.event.at >= Self.small.start && pending.event.at <= Self.small.end)
            last = pending.event.at
            count += 1
        }
        #expect(count > 0)
    }

    @Test func everyEventDecodesBackToItself() throws {
        for pending in ClinicHistory(Self.small) {
            let encoded = try pending.event.encoded()
            #expect(
                try ClinicEvent.decode(
                    type: encoded.type, schemaVersion: encoded.schemaVersion,
                    data: encoded.data) == pending.event)
        }
    }

    @Test func theHistoryReplaysThroughEvolveConsistently() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.medium))
        #expect(replay.problems == [])
        #expect(replay.clients.count >= 150)
        #expect(replay.clients.values.allSatisfy { $0.isRegistered })
        #expect(replay.clients.values.allSatisfy { $0.netPaidMinorUnits >= 0 })
        #expect(replay.clients.values.allSatisfy { $0.refundedMinorUnits <= $0.paidMinorUnits })
        #expect(replay.technicians.values.allSatisfy { $0.isRegistered })
    }

    @Test func theHistoryContainsTheSituationsAClinicMeets() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.medium))
        for type in [
            "client.consultation-no-show", "client.consultation-cancelled", "client.consultation-rescheduled",
            "client.session-cancelled", "client.session-no-show", "client.deposit-forfeited", "client.refund-issued",
            "client.healing-check-recorded", "client.fade-observed", "client.touch-up-performed",
            "client.testimonial-recorded", "client.photo-approved-for-marketing", "pigment.batch-recalled",
            "technician.deactivated", "technician.slot-released", "client.deposit-applied",
            "care.instruction-set-published", "care.instruction-set-revised", "client.instructions-acknowledged",
            "settings.changed", "client.marketing-approval-revoked",
        ] {
            #expect(replay.typeCounts[type, default: 0] > 0, "no \(type)")
        }
        #expect(replay.hairLossScales == [.norwood, .ludwig])
        #expect(replay.norwoodStages.isSuperset(of: 2...7))
        #expect(replay.sessionsPlanned.isSubset(of: 2...4) && replay.sessionsPlanned.count == 3)
        #expect(replay.touchUpYearsAfterCourse.allSatisfy { (1.5...7.5).contains($0) })
    }

    @Test func pricesAreInTheRangesClinicsCharge() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.medium))
        #expect(!replay.courseTotals.isEmpty)
        #expect(replay.courseTotals.allSatisfy { (150_000...320_000).contains($0) })
        #expect(replay.depositAmounts.allSatisfy { (20_000...50_000).contains($0) })
        #expect(replay.touchUpPrices.allSatisfy { (50_000...110_000).contains($0) })
    }

    /// 3,000 clients: enough appointments that each rate is measured to about ±1 percentage point.
    static let large = HistoryConfiguration(seed: 2026, clientCount: 3_000)

    @Test("no-show and cancellation rates match the stated assumptions over a large history")
    func ratesMatchTheStatedAssumptions() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.large))
        let rates = Self.large.rates
        let counts = replay.appointments
        #expect(counts.consultationDays > 2_000)
        #expect(counts.treatmentDays > 5_000)
        let consultationNoShow = Double(counts.consultationNoShows) / Double(counts.consultationDays)
        #expect(
            abs(consultationNoShow - rates.consultationNoShow) < 0.012, "consultation no-shows \(consultationNoShow)")
        let treatmentNoShow = Double(counts.treatmentNoShows) / Double(counts.treatmentDays)
        #expect(abs(treatmentNoShow - rates.treatmentNoShow) < 0.008, "session no-shows \(treatmentNoShow)")
        let consultationCancelled = Double(counts.consultationsCancelledByClient) / Double(counts.consultationsBooked)
        #expect(
            abs(consultationCancelled - rates.consultationCancellation) < 0.012,
            "consultation cancellations \(consultationCancelled)")
        // Session cancellations by the client: the abandonment of first sessions plus the cancel-and-rebook rate.
        let sessionCancelled = Double(counts.sessionsCancelledByClient) / Double(counts.sessionsBooked)
        #expect(sessionCancelled > rates.sessionCancellation - 0.01, "session cancellations \(sessionCancelled)")
        #expect(
            sessionCancelled < rates.sessionCancellation + rates.courseAbandonment + 0.01,
            "session cancellations \(sessionCancelled)")
        let late = Double(counts.lateClientCancellations) / Double(counts.sessionsCancelledByClient)
        #expect(abs(late - rates.lateCancellationShare) < 0.06, "late share \(late)")
        // The clinic cancels only when a rule refuses a treatment on the day: rare.
        let clinic = Double(counts.treatmentsCancelledByClinic) / Double(counts.sessionsBooked)
        #expect(clinic < 0.02, "clinic cancellations \(clinic)")
    }

    @Test("the deposit policy forfeits and refunds on its own, and some of its forfeits are reversed by staff")
    func depositPolicyMoves() throws {
        var forfeits = 0
        var refunds = 0
        var reversals = 0
        var settingsChanges: [ClinicSettingsChanged] = []
        for pending in ClinicHistory(Self.large) {
            switch pending.event {
            case .client(.depositForfeited(let e)) where e.policy != nil: forfeits += 1
            case .client(.refundIssued(let e)) where e.policy != nil: refunds += 1
            case .client(.depositForfeitReversed): reversals += 1
            case .settings(.changed(let e)): settingsChanges.append(e)
            default: break
            }
        }
        #expect(forfeits > 0 && refunds > 0 && reversals > 0, "\(forfeits) \(refunds) \(reversals)")
        #expect(reversals < forfeits)
        // Opening settings, the second location's own minimum age, the first location's deposit policy.
        #expect(settingsChanges.count == 3)
        #expect(settingsChanges.allSatisfy { !$0.changedBy.isEmpty && !$0.reason.isEmpty })
        #expect(settingsChanges.contains { $0.locationID != nil && $0.settings.minimumAge == 21 })
        #expect(settingsChanges.contains { $0.settings.depositPolicy != nil })
    }

    @Test("no client has a treatment cancelled by the clinic more than twice in a row")
    func clinicCancellationsDoNotRepeat() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.large))
        #expect(replay.longestClinicCancellationRun <= 2)
        #expect(replay.appointments.treatmentsCancelledByClinic > 0, "the recall and the departure still cause some")
    }

    @Test(
        "a client's photo densities follow the course: each session's after-photo reads denser than the last, healing reads lighter than right after, the healed result near the last"
    )
    func photoDensitiesFollowTheCourse() throws {
        var photos: [String: [PhotoLogged]] = [:]
        for pending in ClinicHistory(Self.medium) {
            if case .client(.photoLogged(let photo)) = pending.event {
                photos["\(pending.stream)", default: []].append(photo)
            }
        }
        var courses = 0
        for (client, logged) in photos {
            // The first course: every photo up to the healed result.
            guard let healedIndex = logged.firstIndex(where: { $0.stage == .healed }) else { continue }
            let course = logged[...healedIndex].filter { $0.stage != .before }
            let afters = course.filter { $0.stage == .immediatelyAfter }.compactMap(\.measuredDensity)
            guard afters.count >= 2 else { continue }
            courses += 1
            #expect(zip(afters, afters.dropFirst()).allSatisfy { $0 < $1 }, "\(client): \(afters)")
            for (previous, next) in zip(course, course.dropFirst())
            where previous.stage == .immediatelyAfter && next.stage != .immediatelyAfter && next.stage != .healed {
                #expect(
                    (next.measuredDensity ?? 0) < (previous.measuredDensity ?? 0),
                    "\(client): \(previous.stage) \(previous.measuredDensity ?? -1) → \(next.stage) \(next.measuredDensity ?? -1)"
                )
            }
            let healed = try #require(logged[healedIndex].measuredDensity)
            #expect(abs(healed - (afters.last ?? 0)) <= 0.1, "\(client): healed \(healed) after \(afters)")
        }
        #expect(courses >= 50, "too few completed courses with photos to judge: \(courses)")
    }

    @Test(
        "densities over a course, by hand: 1 of 3 sessions about 44 %, 2 of 3 about 72 %, 3 of 3 about 95 %, right after darker, healing lighter"
    )
    func photoDensityByHand() {
        func density(_ stage: PhotoStage, _ done: Int, _ planned: Int) -> Double {
            HistorySimulation.photoDensity(stage: stage, sessionsDone: done, sessionsPlanned: planned, noise: 0.5)
        }
        // 0.95 × (1/3)^0.7 = 0.4403…; 0.95 × (2/3)^0.7 = 0.7153…; 3/3 → 0.95.
        #expect(abs(density(.healed, 1, 3) - 0.4403) < 0.001)
        #expect(abs(density(.healed, 2, 3) - 0.7153) < 0.001)
        #expect(abs(density(.healed, 3, 3) - 0.95) < 0.001)
        #expect(abs(density(.immediatelyAfter, 3, 3) - 0.99) < 0.001)
        #expect(abs(density(.healingDay(7), 3, 3) - 0.92) < 0.001)
        // A touch-up after the course cannot read above 1; noise moves a reading by at most 0.02.
        #expect(density(.immediatelyAfter, 4, 3) <= 1)
        #expect(
            abs(
                HistorySimulation.photoDensity(stage: .healed, sessionsDone: 2, sessionsPlanned: 3, noise: 1)
                    - density(.healed, 2, 3)) <= 0.02 + 1e-9)
    }

    @Test("photos linked to an appointment are only of appointments that took place; every consultation has its own")
    func photosOnlyAtAppointmentsThatTookPlace() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.medium))
        #expect(replay.photosAtAppointmentsThatDidNotTakePlace == 0)
        #expect(replay.beforePhotosWithoutAppointment == 0)
        #expect(replay.typeCounts["client.photo-logged", default: 0] > 500)
    }

    @Test("every booking falls within its location's hours on its own clock; touch-ups follow a current screening")
    func bookingsRespectHoursAndScreeningValidity() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.medium))
        #expect(replay.bookingsChecked > 500)
        #expect(replay.bookingsOutsideHours == 0)
        #expect(replay.touchUpsWithLapsedScreening == 0)
        #expect(replay.screeningsRenewed > 0, "touch-ups years after the course need renewed screenings")
    }

    @Test("aftercare comes from the set in force for the treatment just performed; a few are forgotten")
    func aftercareFollowsTreatments() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.medium))
        let performed =
            replay.typeCounts["client.session-performed", default: 0]
            + replay.typeCounts["client.touch-up-performed", default: 0]
        let forgotten = Double(replay.treatmentsWithoutAftercare) / Double(performed)
        #expect(forgotten > 0 && forgotten < 0.05, "aftercare forgotten after \(forgotten) of treatments")
        #expect(replay.instructionsNotInForce == 0)
        #expect(Set(replay.instructionVersionsGiven) == [1, 2], "both versions of the set were handed out")
    }

    @Test("corrections are booked in-house for a recorded reaction or complaint, performed and paid for")
    func correctionsAnswerTheirCause() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.large))
        #expect(replay.problems == [])
        #expect(replay.typeCounts["client.complaint-recorded", default: 0] > 0)
        #expect(replay.typeCounts["client.correction-booked", default: 0] > 0)
        #expect(replay.inHouseCorrections > 0)
        #expect(replay.correctionsWithUnknownCause == 0)
        // Paid after the session; one performed at the very end of the history may not be paid yet.
        #expect(replay.correctionPayments > 0 && replay.correctionPayments <= replay.inHouseCorrections)
    }

    @Test func noSessionUsedARecalledOrExpiredBatch() throws {
        let replay = try HistoryReplay(ClinicHistory(Self.medium))
        #expect(replay.treatmentsWithBadBatch == 0)
        #expect(replay.typeCounts["client.session-performed", default: 0] > 100)
    }
}

/// Folds a generated history into per-stream states, checking on the way what must hold in any valid history.
struct HistoryReplay {
    var clients: [ClientID: ClientState] = [:]
    var technicians: [TechnicianID: TechnicianState] = [:]
    var batches: [PigmentBatchNumber: PigmentBatchState] = [:]
    var locations: [LocationID: LocationState] = [:]
    var instructionSets: [InstructionSetID: InstructionSetState] = [:]
    var settings = ClinicSettingsState()
    var problems: [String] = []
    var typeCounts: [String: Int] = [:]
    var hairLossScales: Set<HairLossScale> = []
    var norwoodStages: Set<Int> = []
    var sessionsPlanned: Set<Int> = []
    var courseTotals: [Int64] = []
    var depositAmounts: [Int64] = []
    var touchUpPrices: [Int64] = []
    var touchUpYearsAfterCourse: [Double] = []
    var treatmentsWithBadBatch = 0
    var appointments = AppointmentCounts()
    var longestClinicCancellationRun = 0
    var beforePhotosWithoutAppointment = 0
    var bookingsChecked = 0
    var inHouseCorrections = 0
    var correctionsWithUnknownCause = 0
    var correctionPayments = 0
    var instructionsNotInForce = 0
    var instructionVersionsGiven: Set<Int> = []
    /// Performed treatments with no aftercare given for them (counted at the end).
    var treatmentsWithoutAftercare: Int {
        clients.values.reduce(0) { count, client in
            count
                + client.treatments.values.filter { treatment in
                    treatment.status == .completed && client.instructions[treatment.appointmentID]?[.aftercare] == nil
                }.count
        }
    }
    var bookingsOutsideHours = 0
    var touchUpsWithLapsedScreening = 0
    var screeningsRenewed = 0
    private var courseCompletedAt: [ClientID: Date] = [:]
    private var clinicCancellationRun: [ClientID: Int] = [:]
    private var photoAppointments: [(ClientID, AppointmentID)] = []

    /// What happened to appointments, for measuring rates.
    struct AppointmentCounts {
        var consultationsBooked = 0
        var consultationsCancelledByClient = 0
        var consultationDays = 0
        var consultationNoShows = 0
        var sessionsBooked = 0
        var sessionsCancelledByClient = 0
        var lateClientCancellations = 0
        var treatmentsCancelledByClinic = 0
        var treatmentDays = 0
        var treatmentNoShows = 0
    }

    /// Photos logged at an appointment that was, in the end, cancelled, missed or never held.
    var photosAtAppointmentsThatDidNotTakePlace: Int {
        photoAppointments.filter { client, appointment in
            guard let state = clients[client] else { return true }
            if let consultation = state.consultations[appointment] { return consultation.status != .completed }
            return state.treatments[appointment]?.status != .completed
        }.count
    }

    init(_ history: some Sequence<PendingEvent>) throws {
        for pending in history { apply(pending) }
        longestClinicCancellationRun = max(longestClinicCancellationRun, clinicCancellationRun.values.max() ?? 0)
    }

    private mutating func count(_ event: ClientEvent, client: ClientState) {
        switch event {
        case .consultationBooked: appointments.consultationsBooked += 1
        case .consultationCancelled(let e) where e.cancelledBy == .client:
            appointments.consultationsCancelledByClient += 1
        case .consultationNoShow:
            appointments.consultationNoShows += 1
            appointments.consultationDays += 1
        case .consultationHeld: appointments.consultationDays += 1
        case .sessionBooked: appointments.sessionsBooked += 1
        case .sessionCancelled(let e):
            guard let booked = client.treatments[e.appointmentID] else { break }
            if e.cancelledBy == .clinic {
                appointments.treatmentsCancelledByClinic += 1
                appointments.treatmentDays += 1
                clinicCancellationRun[client.id, default: 0] += 1
            } else if booked.kind == .session {
                appointments.sessionsCancelledByClient += 1
                if booked.slot.start.timeIntervalSince(e.at) < 48 * 3600 { appointments.lateClientCancellations += 1 }
            }
        case .sessionNoShow:
            appointments.treatmentNoShows += 1
            appointments.treatmentDays += 1
        case .sessionPerformed, .touchUpPerformed:
            appointments.treatmentDays += 1
            let run = clinicCancellationRun.removeValue(forKey: client.id) ?? 0
            longestClinicCancellationRun = max(longestClinicCancellationRun, run)
        case .photoLogged(let e):
            if let appointment = e.appointmentID {
                photoAppointments.append((client.id, appointment))
            } else if e.stage == .before {
                beforePhotosWithoutAppointment += 1
            }
        default: break
        }
    }

    private mutating func problem(_ text: String) {
        if problems.count < 20 { problems.append(text) }
    }

    private mutating func apply(_ pending: PendingEvent) {
        typeCounts[pending.event.typeName, default: 0] += 1
        guard pending.event.streamCategory == pending.stream.category else {
            return problem("\(pending.event.typeName) on \(pending.stream)")
        }
        switch pending.event {
        case .client(let event):
            guard let id = pending.stream.clientID else { return problem("bad client stream \(pending.stream)") }
            var state = clients[id] ?? ClientState(id: id)
            check(event, client: state)
            count(event, client: state)
            state.apply(event)
            if state.isCourseComplete, courseCompletedAt[id] == nil { courseCompletedAt[id] = event.at }
            clients[id] = state
        case .technician(let event):
            guard let id = pending.stream.technicianID else { return problem("bad stream \(pending.stream)") }
            var state = technicians[id] ?? TechnicianState(id: id)
            if case .slotReserved(let reserved) = event,
                let conflict = state.conflictingReservation(with: reserved.slot, excluding: reserved.appointmentID)
            {
                problem("technician \(id) double-booked: \(conflict.slot) and \(reserved.slot)")
            }
            if case .slotReleased(let released) = event, state.reservations[released.appointmentID] == nil {
                problem("released an unknown slot \(released.appointmentID)")
            }
            state.apply(event)
            technicians[id] = state
        case .pigmentBatch(let event):
            guard let id = pending.stream.pigmentBatchNumber else { return problem("bad stream \(pending.stream)") }
            batches[id, default: PigmentBatchState(id: id)].apply(event)
        case .location(let event):
            guard let id = pending.stream.locationID else { return problem("bad stream \(pending.stream)") }
            locations[id, default: LocationState(id: id)].apply(event)
        case .care(let event):
            guard let id = pending.stream.instructionSetID else { return problem("bad stream \(pending.stream)") }
            instructionSets[id, default: InstructionSetState(id: id)].apply(event)
        case .settings(let event):
            guard pending.stream == .clinicSettings else { return problem("bad stream \(pending.stream)") }
            settings.apply(event)
        }
    }

    private mutating func checkHours(_ slot: TimeSlot, at location: LocationID) {
        bookingsChecked += 1
        guard let state = locations[location], !state.hours.isEmpty, state.openingHoursProblem(slot) == nil else {
            bookingsOutsideHours += 1
            return
        }
    }

    private mutating func check(_ event: ClientEvent, client: ClientState) {
        if case .registered = event {
            if client.isRegistered { problem("registered twice") }
        } else if !client.isRegistered {
            return problem("\(event.typeName) before registration")
        }
        switch event {
        case .instructionsGiven(let given):
            guard let set = given.instructionSetID, let version = given.instructionSetVersion else {
                return problem("instructions given without a set")
            }
            instructionVersionsGiven.insert(version)
            if instructionSets[set]?.version(inForceAt: given.at)?.number != version { instructionsNotInForce += 1 }
        case .correctionBooked(let booked):
            checkHours(booked.slot, at: booked.locationID)
            let known =
                switch booked.cause.kind {
                case .adverseReaction: booked.cause.id.map(client.reactions.contains) ?? false
                case .complaint: booked.cause.id.map(client.complaints.contains) ?? false
                case .clientRequest: booked.cause.id == nil
                }
            if !known { correctionsWithUnknownCause += 1 }
        case .correctionPerformed(let performed):
            if performed.appointmentID != nil { inHouseCorrections += 1 }
        case .paymentReceived(let payment):
            if payment.purpose == .correction { correctionPayments += 1 }
        case .consultationBooked(let booked):
            checkHours(booked.slot, at: booked.locationID)
        case .consultationRescheduled(let booked):
            checkHours(booked.slot, at: booked.locationID)
        case .sessionBooked(let booked):
            checkHours(booked.slot, at: booked.locationID)
        case .medicalScreeningRecorded(let screening):
            if client.screening != nil { screeningsRenewed += 1 }
            hairLossScales.insert(screening.hairLoss.scale)
            if screening.hairLoss.scale == .norwood { norwoodStages.insert(screening.hairLoss.stage) }
        case .treatmentPlanAgreed(let plan):
            sessionsPlanned.insert(plan.sessionsPlanned)
            courseTotals.append(plan.pricing.total(sessions: plan.sessionsPlanned).minorUnits)
        case .depositTaken(let deposit):
            depositAmounts.append(deposit.amount.minorUnits)
        case .touchUpBooked(let booked):
            checkHours(booked.slot, at: booked.locationID)
            if let screening = client.screening,
                CalendarDay(screening.at).adding(months: ClinicSettings.standard.screeningValidityMonths)
                    < CalendarDay(booked.slot.start)
            {
                touchUpsWithLapsedScreening += 1
            }
            touchUpPrices.append(booked.quotedPrice.minorUnits)
            if let completed = courseCompletedAt[client.id], client.touchUpsPerformed == 0 {
                touchUpYearsAfterCourse.append(booked.at.timeIntervalSince(completed) / (365.25 * 86_400))
            }
        case .sessionPerformed(let performed):
            checkPerformed(performed.appointmentID, performed.treatment, at: performed.at, client: client)
        case .touchUpPerformed(let performed):
            checkPerformed(performed.appointmentID, performed.treatment, at: performed.at, client: client)
        case .refundIssued:
            break
        default:
            break
        }
    }

    private mutating func checkPerformed(
        _ id: AppointmentID, _ treatment: TreatmentRecord, at: Date,
        client: ClientState
    ) {
        if client.treatments[id]?.status != .booked { problem("performed an appointment not booked") }
        let day = CalendarDay(at)
        guard let batch = batches[treatment.pigment.batchNumber] else {
            treatmentsWithBadBatch += 1
            return
        }
        if batch.isRecalled(on: day) || batch.isExpired(on: day) { treatmentsWithBadBatch += 1 }
    }
}
