import Foundation

/// Decides client commands: `decide(command, client, context) -> Decision` or a typed `Rejection`.
///
/// Pure: no clock, no I/O. The current time is `context.now`; the states of other streams are in the context.
public enum ClientDecider {
    /// Checks a command against the client's state and the context and returns the events to append.
    public static func decide(
        _ command: ClientCommand, client: ClientState, context: DecisionContext
    ) throws(Rejection) -> Decision {
        let rules = ClientRules(client: client, context: context)
        return try rules.decide(command)
    }
}

/// The rules of one decision: the client, the context and helpers shared by the command handlers.
struct ClientRules {
    let client: ClientState
    let context: DecisionContext

    var settings: ClinicSettings { context.settings }
    var clientStream: StreamName { .client(client.id) }

    func decide(_ command: ClientCommand) throws(Rejection) -> Decision {
        guard command.at <= context.now else { throw .inTheFuture(at: command.at, now: context.now) }
        if case .register(let event) = command { return try register(event) }
        guard client.isRegistered else { throw .clientNotRegistered(client.id) }
        if client.isForgotten {
            guard case .issueRefund(let event) = command else { throw .clientForgotten(client.id) }
            return try issueRefund(event)
        }
        switch command {
        case .register(let event): return try register(event)
        case .recordScreening(let event): return try recordScreening(event)
        case .signConsent(let event): return try signConsent(event)
        case .withdrawConsent(let event): return try withdrawConsent(event)
        case .bookConsultation(let event): return try bookConsultation(event)
        case .rescheduleConsultation(let event): return try rescheduleConsultation(event)
        case .cancelConsultation(let event): return try cancelConsultation(event)
        case .markConsultationNoShow(let event): return try markConsultationNoShow(event)
        case .holdConsultation(let event): return try holdConsultation(event)
        case .giveInstructions(let event): return try giveInstructions(event)
        case .acknowledgeInstructions(let event): return try acknowledgeInstructions(event)
        case .agreeTreatmentPlan(let event): return try agreeTreatmentPlan(event)
        case .takeDeposit(let event): return try takeDeposit(event)
        case .applyDeposit(let event): return try applyDeposit(event)
        case .forfeitDeposit(let event): return try forfeitDeposit(event)
        case .reverseDepositForfeit(let event): return try reverseDepositForfeit(event)
        case .bookSession(let event): return try bookSession(event)
        case .cancelSession(let event): return try cancelSession(event)
        case .markSessionNoShow(let event): return try markSessionNoShow(event)
        case .performSession(let event): return try performSession(event)
        case .recordHealingCheck(let event): return try recordHealingCheck(event)
        case .logPhoto(let event): return try logPhoto(event)
        case .approvePhotoForMarketing(let event): return try approvePhotoForMarketing(event)
        case .observeFade(let event): return try observeFade(event)
        case .recommendTouchUp(let event): return try recommendTouchUp(event)
        case .bookTouchUp(let event): return try bookTouchUp(event)
        case .performTouchUp(let event): return try performTouchUp(event)
        case .reportAdverseReaction(let event): return try reportAdverseReaction(event)
        case .recordComplaint(let event): return try recordComplaint(event)
        case .bookCorrection(let event): return try bookCorrection(event)
        case .performCorrection(let event): return try performCorrection(event)
        case .recordTestimonial(let event): return try recordTestimonial(event)
        case .receivePayment(let event): return try receivePayment(event)
        case .issueRefund(let event): return try issueRefund(event)
        case .forget(let event): return try forget(event)
        }
    }

    // MARK: Helpers

    func pending(_ event: ClientEvent) -> PendingEvent {
        PendingEvent(stream: clientStream, event: .client(event))
    }

    func pending(_ event: TechnicianEvent, for technician: TechnicianID) -> PendingEvent {
        PendingEvent(stream: .technician(technician), event: .technician(event))
    }

    func only(_ event: ClientEvent) -> Decision { Decision([pending(event)]) }

    func require(_ condition: Bool, _ field: String, _ reason: String) throws(Rejection) {
        guard condition else { throw .invalidValue(field: field, reason: reason) }
    }

    func requireText(_ text: String, _ field: String) throws(Rejection) {
        try require(!text.allSatisfy(\.isWhitespace), field, "must not be blank")
    }

    /// Free text about the client under `personal`: present, not blank, and not the erased marker (which only the
    /// store hands back for a forgotten client, never a command).
    func requirePersonalText(_ personal: PersonalText?) throws(Rejection) {
        guard let personal, !personal.isErased else {
            throw .invalidValue(field: "personal.text", reason: "must be given")
        }
        try requireText(personal.text, "personal.text")
    }

    func requireFraction(_ value: Double, _ field: String) throws(Rejection) {
        try require(value.isFinite && (0...1).contains(value), field, "must be between 0 and 1, not \(value)")
    }

    func requireNew(_ id: UUID, _ kind: String, exists: Bool) throws(Rejection) {
        guard !exists else { throw .duplicateID(kind: kind, id: id) }
    }

    /// The account currency: fixed by the plan or the first money moved, else the clinic's.
    var accountCurrency: Currency { client.accountCurrency ?? settings.currency }

    func requirePositive(_ amount: Money) throws(Rejection) {
        guard amount.isPositive else { throw .nonPositiveAmount(amount) }
        guard amount.currency == accountCurrency else {
            throw .currencyMismatch(expected: accountCurrency, actual: amount.currency)
        }
    }

    func requireTreatmentPerformed() throws(Rejection) {
        guard client.sessionsPerformed + client.touchUpsPerformed > 0 else { throw .noTreatmentPerformed }
    }
}
