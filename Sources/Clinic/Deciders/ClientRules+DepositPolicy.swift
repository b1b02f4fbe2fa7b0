import Foundation

extension ClientRules {
    /// With a deposit policy at the location, a course session is booked only when the client's held or applied
    /// deposits cover the policy's amount for the agreed course (forfeited and refunded ones do not count).
    func checkDepositPolicy(at location: LocationID, plan: TreatmentPlanAgreed) throws(Rejection) {
        guard let policy = context.settings(at: location).depositPolicy else { return }
        let required = policy.required(forCoursePrice: plan.pricing.total(sessions: plan.sessionsPlanned))
        let covered = client.deposits.values.reduce(Int64(0)) { sum, deposit in
            sum + (deposit.status == .held || deposit.status == .applied ? deposit.amount.minorUnits : 0)
        }
        guard covered >= required.minorUnits else {
            throw .depositRequired(
                location, required: required, covered: Money(minorUnits: covered, currency: required.currency))
        }
    }

    /// What the location's deposit policy does to held deposits when a treatment is missed or cancelled: forfeit
    /// them all on a no-show or a client's late cancellation, refund the refundable ones on a client's cancellation
    /// with notice. Empty without a policy, and for a clinic cancellation (the clinic rebooks; staff refund on
    /// request). The events join the no-show's or cancellation's append.
    func depositPolicyEvents(
        for treatment: TreatmentAppointment, at date: Date, cancelledBy: CancelledBy?
    ) -> [PendingEvent] {
        let settings = context.settings(at: treatment.locationID)
        guard settings.depositPolicy != nil else { return [] }
        let trigger: DepositPolicyAction.Trigger
        switch cancelledBy {
        case nil: trigger = .noShow
        case .clinic: return []
        case .client:
            let window = TimeInterval(settings.cancellationWindowHours) * 3600
            trigger =
                treatment.slot.start.timeIntervalSince(date) < window ? .lateCancellation : .cancellationWithNotice
        }
        let action = DepositPolicyAction(
            trigger: trigger, appointmentID: treatment.appointmentID, locationID: treatment.locationID)
        let held = client.deposits.values.filter { $0.status == .held }
            .sorted { ($0.takenAt, $0.depositID.uuidString) < ($1.takenAt, $1.depositID.uuidString) }
        var refundable = client.refundableMinorUnits
        var events: [PendingEvent] = []
        let day = CalendarDay(treatment.slot.start)
        for deposit in held {
            switch trigger {
            case .noShow, .lateCancellation:
                // A refundable deposit that refunds already ate into cannot be forfeited whole (as by hand).
                if deposit.refundable, refundable < deposit.amount.minorUnits { continue }
                if deposit.refundable { refundable -= deposit.amount.minorUnits }
                let why = trigger == .noShow ? "no-show" : "cancelled inside \(settings.cancellationWindowHours) h"
                events.append(
                    pending(
                        .depositForfeited(
                            DepositForfeited(
                                at: date, depositID: deposit.depositID,
                                reason: "Deposit policy of \(treatment.locationID): \(why) on \(day)", policy: action)))
                )
            case .cancellationWithNotice:
                guard deposit.refundable, refundable >= deposit.amount.minorUnits else { continue }
                refundable -= deposit.amount.minorUnits
                events.append(
                    pending(
                        .refundIssued(
                            RefundIssued(
                                at: date, refundID: Self.policyRefundID(deposit.depositID, treatment.appointmentID),
                                amount: deposit.amount, method: deposit.method,
                                reason: "Deposit policy of \(treatment.locationID): cancelled with notice",
                                depositID: deposit.depositID, policy: action))))
            }
        }
        return events
    }

    /// Staff reverse a forfeit (the policy's or their own): the deposit is held again.
    func reverseDepositForfeit(_ event: DepositForfeitReversed) throws(Rejection) -> Decision {
        guard let deposit = client.deposits[event.depositID] else { throw .unknownDeposit(event.depositID) }
        guard deposit.status == .forfeited else {
            throw .invalidValue(
                field: "depositID",
                reason:
                    "deposit \(event.depositID.uuidString.lowercased()) is \(deposit.status.rawValue), not forfeited")
        }
        try requireText(event.reversedBy, "reversedBy")
        try requirePersonalText(event.personal)
        return only(.depositForfeitReversed(event))
    }

    /// The id of the refund the policy issues for a deposit on an appointment: derived from both, so deciding
    /// stays deterministic (the same command gives the same events) and two refunds never share an id.
    static func policyRefundID(_ deposit: DepositID, _ appointment: AppointmentID) -> RefundID {
        let a = deposit.uuid
        let b = appointment.uuid
        return UUID(
            version4: [
                a.0 ^ b.15, a.1 ^ b.14, a.2 ^ b.13, a.3 ^ b.12, a.4 ^ b.11, a.5 ^ b.10, a.6 ^ b.9, a.7 ^ b.8,
                a.8 ^ b.7, a.9 ^ b.6, a.10 ^ b.5, a.11 ^ b.4, a.12 ^ b.3, a.13 ^ b.2, a.14 ^ b.1, a.15 ^ b.0,
            ])
    }
}
