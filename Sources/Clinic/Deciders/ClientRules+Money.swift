import Foundation

extension ClientRules {
    func agreeTreatmentPlan(_ event: TreatmentPlanAgreed) throws(Rejection) -> Decision {
        guard client.hasHeldConsultation else { throw .noConsultationHeld }
        guard client.plan == nil else { throw .treatmentPlanAlreadyAgreed }
        try require((1...6).contains(event.sessionsPlanned), "sessionsPlanned", "must be 1–6")
        try requirePositive(event.pricing.price)
        try require(event.depositDue.minorUnits >= 0, "depositDue", "must not be negative")
        guard event.depositDue.currency == event.pricing.price.currency else {
            throw .currencyMismatch(expected: event.pricing.price.currency, actual: event.depositDue.currency)
        }
        return only(.treatmentPlanAgreed(event))
    }

    func takeDeposit(_ event: DepositTaken) throws(Rejection) -> Decision {
        try requireNew(event.depositID, "deposit", exists: client.deposits[event.depositID] != nil)
        try requirePositive(event.amount)
        return only(.depositTaken(event))
    }

    func heldDeposit(_ id: DepositID) throws(Rejection) -> DepositRecord {
        guard let deposit = client.deposits[id] else { throw .unknownDeposit(id) }
        guard deposit.status == .held else { throw .depositNotHeld(id, status: deposit.status) }
        return deposit
    }

    func applyDeposit(_ event: DepositApplied) throws(Rejection) -> Decision {
        _ = try heldDeposit(event.depositID)
        return only(.depositApplied(event))
    }

    /// A refundable deposit can be forfeited only while the money is still there: not after refunds ate into it.
    func forfeitDeposit(_ event: DepositForfeited) throws(Rejection) -> Decision {
        let deposit = try heldDeposit(event.depositID)
        try requirePersonalText(event.personal)
        if deposit.refundable, client.refundableMinorUnits < deposit.amount.minorUnits {
            let left = Money(minorUnits: client.refundableMinorUnits, currency: deposit.amount.currency)
            throw .invalidValue(field: "depositID", reason: "only \(left) of \(deposit.amount) is left after refunds")
        }
        return only(.depositForfeited(event))
    }

    func receivePayment(_ event: PaymentReceived) throws(Rejection) -> Decision {
        try requirePositive(event.amount)
        if let id = event.appointmentID {
            guard client.treatments[id] != nil || client.consultations[id] != nil else {
                throw .unknownAppointment(id)
            }
        }
        return only(.paymentReceived(event))
    }

    /// Refunds are positive, in the account currency, never more than net paid minus the money the clinic keeps
    /// (non-refundable and forfeited deposits); a deposit refund needs a refundable deposit still held.
    /// A refund to a forgotten client keeps no reason: it would be text about a person whose key is gone.
    func issueRefund(_ event: RefundIssued) throws(Rejection) -> Decision {
        var event = event
        try requirePositive(event.amount)
        if client.isForgotten {
            event.personal = nil
        } else {
            try requirePersonalText(event.personal)
        }
        if let id = event.depositID {
            guard let deposit = client.deposits[id] else { throw .unknownDeposit(id) }
            guard deposit.refundable else { throw .depositNotRefundable(id) }
            guard deposit.status == .held else { throw .depositNotHeld(id, status: deposit.status) }
            try require(
                event.amount.minorUnits <= deposit.amount.minorUnits, "amount",
                "a deposit refund cannot exceed the deposit of \(deposit.amount)")
        }
        let refundable = Money(minorUnits: client.refundableMinorUnits, currency: accountCurrency)
        guard event.amount.minorUnits <= refundable.minorUnits else {
            throw .refundExceedsRefundable(requested: event.amount, refundable: refundable)
        }
        return only(.refundIssued(event))
    }
}
