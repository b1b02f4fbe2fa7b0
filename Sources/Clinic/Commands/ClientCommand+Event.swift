import Foundation

extension ClientCommand {
    /// The event the command asks for, before the decider checks and completes it.
    public var proposedEvent: ClientEvent {
        switch self {
        case .register(let payload): .registered(payload)
        case .recordScreening(let payload): .medicalScreeningRecorded(payload)
        case .signConsent(let payload): .consentSigned(payload)
        case .withdrawConsent(let payload): .consentWithdrawn(payload)
        case .bookConsultation(let payload): .consultationBooked(payload)
        case .rescheduleConsultation(let payload): .consultationRescheduled(payload)
        case .cancelConsultation(let payload): .consultationCancelled(payload)
        case .markConsultationNoShow(let payload): .consultationNoShow(payload)
        case .holdConsultation(let payload): .consultationHeld(payload)
        case .giveInstructions(let payload): .instructionsGiven(payload)
        case .acknowledgeInstructions(let payload): .instructionsAcknowledged(payload)
        case .agreeTreatmentPlan(let payload): .treatmentPlanAgreed(payload)
        case .takeDeposit(let payload): .depositTaken(payload)
        case .applyDeposit(let payload): .depositApplied(payload)
        case .forfeitDeposit(let payload): .depositForfeited(payload)
        case .reverseDepositForfeit(let payload): .depositForfeitReversed(payload)
        case .bookSession(let payload): .sessionBooked(payload)
        case .cancelSession(let payload): .sessionCancelled(payload)
        case .markSessionNoShow(let payload): .sessionNoShow(payload)
        case .performSession(let payload): .sessionPerformed(payload)
        case .recordHealingCheck(let payload): .healingCheckRecorded(payload)
        case .logPhoto(let payload): .photoLogged(payload)
        case .approvePhotoForMarketing(let payload): .photoApprovedForMarketing(payload)
        case .observeFade(let payload): .fadeObserved(payload)
        case .recommendTouchUp(let payload): .touchUpRecommended(payload)
        case .bookTouchUp(let payload): .touchUpBooked(payload)
        case .performTouchUp(let payload): .touchUpPerformed(payload)
        case .reportAdverseReaction(let payload): .adverseReactionReported(payload)
        case .recordComplaint(let payload): .complaintRecorded(payload)
        case .bookCorrection(let payload): .correctionBooked(payload)
        case .performCorrection(let payload): .correctionPerformed(payload)
        case .recordTestimonial(let payload): .testimonialRecorded(payload)
        case .receivePayment(let payload): .paymentReceived(payload)
        case .issueRefund(let payload): .refundIssued(payload)
        case .forget(let payload): .forgotten(payload)
        }
    }

    /// The business time the command is for.
    public var at: Date { proposedEvent.at }
}
