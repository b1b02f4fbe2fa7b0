import Foundation

/// An event on a client stream (`client-<uuid>`).
public enum ClientEvent: Hashable, Sendable {
    /// `client.registered` v2.
    case registered(ClientRegistered)
    /// `client.medical-screening-recorded` v1.
    case medicalScreeningRecorded(MedicalScreeningRecorded)
    /// `client.consent-signed` v2.
    case consentSigned(ConsentSigned)
    /// `client.consent-withdrawn` v1.
    case consentWithdrawn(ConsentWithdrawn)
    /// `client.consultation-booked` v1.
    case consultationBooked(ConsultationBooked)
    /// `client.consultation-rescheduled` v1.
    case consultationRescheduled(ConsultationRescheduled)
    /// `client.consultation-cancelled` v1.
    case consultationCancelled(ConsultationCancelled)
    /// `client.consultation-no-show` v1.
    case consultationNoShow(ConsultationNoShow)
    /// `client.consultation-held` v2.
    case consultationHeld(ConsultationHeld)
    /// `client.instructions-given` v2.
    case instructionsGiven(InstructionsGiven)
    /// `client.instructions-acknowledged` v1.
    case instructionsAcknowledged(InstructionsAcknowledged)
    /// `client.treatment-plan-agreed` v1.
    case treatmentPlanAgreed(TreatmentPlanAgreed)
    /// `client.deposit-taken` v1.
    case depositTaken(DepositTaken)
    /// `client.deposit-applied` v1.
    case depositApplied(DepositApplied)
    /// `client.deposit-forfeited` v2.
    case depositForfeited(DepositForfeited)
    /// `client.deposit-forfeit-reversed` v1.
    case depositForfeitReversed(DepositForfeitReversed)
    /// `client.session-booked` v1.
    case sessionBooked(SessionBooked)
    /// `client.session-cancelled` v1.
    case sessionCancelled(SessionCancelled)
    /// `client.session-no-show` v1.
    case sessionNoShow(SessionNoShow)
    /// `client.session-performed` v1.
    case sessionPerformed(SessionPerformed)
    /// `client.healing-check-recorded` v1.
    case healingCheckRecorded(HealingCheckRecorded)
    /// `client.photo-logged` v1.
    case photoLogged(PhotoLogged)
    /// `client.photo-approved-for-marketing` v1.
    case photoApprovedForMarketing(PhotoApprovedForMarketing)
    /// `client.marketing-approval-revoked` v1.
    case marketingApprovalRevoked(MarketingApprovalRevoked)
    /// `client.fade-observed` v2.
    case fadeObserved(FadeObserved)
    /// `client.touch-up-recommended` v1.
    case touchUpRecommended(TouchUpRecommended)
    /// `client.touch-up-booked` v1.
    case touchUpBooked(TouchUpBooked)
    /// `client.touch-up-performed` v1.
    case touchUpPerformed(TouchUpPerformed)
    /// `client.adverse-reaction-reported` v1.
    case adverseReactionReported(AdverseReactionReported)
    /// `client.complaint-recorded` v1.
    case complaintRecorded(ComplaintRecorded)
    /// `client.correction-booked` v1.
    case correctionBooked(CorrectionBooked)
    /// `client.correction-performed` v2.
    case correctionPerformed(CorrectionPerformed)
    /// `client.testimonial-recorded` v2.
    case testimonialRecorded(TestimonialRecorded)
    /// `client.payment-received` v1.
    case paymentReceived(PaymentReceived)
    /// `client.refund-issued` v2.
    case refundIssued(RefundIssued)
    /// `client.forgotten` v1.
    case forgotten(ClientForgotten)

    /// The payload, for encoding and generic access.
    public var payload: any EventPayload {
        switch self {
        case .registered(let payload): payload
        case .medicalScreeningRecorded(let payload): payload
        case .consentSigned(let payload): payload
        case .consentWithdrawn(let payload): payload
        case .consultationBooked(let payload): payload
        case .consultationRescheduled(let payload): payload
        case .consultationCancelled(let payload): payload
        case .consultationNoShow(let payload): payload
        case .consultationHeld(let payload): payload
        case .instructionsGiven(let payload): payload
        case .instructionsAcknowledged(let payload): payload
        case .treatmentPlanAgreed(let payload): payload
        case .depositTaken(let payload): payload
        case .depositApplied(let payload): payload
        case .depositForfeited(let payload): payload
        case .depositForfeitReversed(let payload): payload
        case .sessionBooked(let payload): payload
        case .sessionCancelled(let payload): payload
        case .sessionNoShow(let payload): payload
        case .sessionPerformed(let payload): payload
        case .healingCheckRecorded(let payload): payload
        case .photoLogged(let payload): payload
        case .photoApprovedForMarketing(let payload): payload
        case .marketingApprovalRevoked(let payload): payload
        case .fadeObserved(let payload): payload
        case .touchUpRecommended(let payload): payload
        case .touchUpBooked(let payload): payload
        case .touchUpPerformed(let payload): payload
        case .adverseReactionReported(let payload): payload
        case .complaintRecorded(let payload): payload
        case .correctionBooked(let payload): payload
        case .correctionPerformed(let payload): payload
        case .testimonialRecorded(let payload): payload
        case .paymentReceived(let payload): payload
        case .refundIssued(let payload): payload
        case .forgotten(let payload): payload
        }
    }

    /// When it happened, in business time: read from the case's payload, not through `payload` (an
    /// existential that boxed and copied the payload, retaining its strings: folds read it per event).
    public var at: Date {
        switch self {
        case .registered(let payload): payload.at
        case .medicalScreeningRecorded(let payload): payload.at
        case .consentSigned(let payload): payload.at
        case .consentWithdrawn(let payload): payload.at
        case .consultationBooked(let payload): payload.at
        case .consultationRescheduled(let payload): payload.at
        case .consultationCancelled(let payload): payload.at
        case .consultationNoShow(let payload): payload.at
        case .consultationHeld(let payload): payload.at
        case .instructionsGiven(let payload): payload.at
        case .instructionsAcknowledged(let payload): payload.at
        case .treatmentPlanAgreed(let payload): payload.at
        case .depositTaken(let payload): payload.at
        case .depositApplied(let payload): payload.at
        case .depositForfeited(let payload): payload.at
        case .depositForfeitReversed(let payload): payload.at
        case .sessionBooked(let payload): payload.at
        case .sessionCancelled(let payload): payload.at
        case .sessionNoShow(let payload): payload.at
        case .sessionPerformed(let payload): payload.at
        case .healingCheckRecorded(let payload): payload.at
        case .photoLogged(let payload): payload.at
        case .photoApprovedForMarketing(let payload): payload.at
        case .marketingApprovalRevoked(let payload): payload.at
        case .fadeObserved(let payload): payload.at
        case .touchUpRecommended(let payload): payload.at
        case .touchUpBooked(let payload): payload.at
        case .touchUpPerformed(let payload): payload.at
        case .adverseReactionReported(let payload): payload.at
        case .complaintRecorded(let payload): payload.at
        case .correctionBooked(let payload): payload.at
        case .correctionPerformed(let payload): payload.at
        case .testimonialRecorded(let payload): payload.at
        case .paymentReceived(let payload): payload.at
        case .refundIssued(let payload): payload.at
        case .forgotten(let payload): payload.at
        }
    }

    /// The dotted type name, e.g. `client.registered`.
    public var typeName: String { type(of: payload).typeName }

    /// The schema version it is written with.
    public var schemaVersion: Int { type(of: payload).schemaVersion }
}
