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
    private var courseCompletedAt: [ClientID: Date] = [:]

    init(_ history: some Sequence<PendingEvent>) throws {
        for pending in history { apply(pending) }
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
        }
    }

    private mutating func check(_ event: ClientEvent, client: ClientState) {
        if case .registered = event {
            if client.isRegistered { problem("registered twice") }
        } else if !client.isRegistered {
            return problem("\(event.typeName) before registration")
        }
        switch event {
        case .medicalScreeningRecorded(let screening):
            hairLossScales.insert(screening.hairLoss.scale)
            if screening.hairLoss.scale == .norwood { norwoodStages.insert(screening.hairLoss.stage) }
        case .treatmentPlanAgreed(let plan):
            sessionsPlanned.insert(plan.sessionsPlanned)
            courseTotals.append(plan.pricing.total(sessions: plan.sessionsPlanned).minorUnits)
        case .depositTaken(let deposit):
            depositAmounts.append(deposit.amount.minorUnits)
        case .touchUpBooked(let booked):
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
