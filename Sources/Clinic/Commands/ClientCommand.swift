/// A request to change a client's stream. Each carries the payload of the event it asks for, including its
/// business time `at` and any new ids (so deciding stays deterministic); the decider checks and completes it.
public enum ClientCommand: Hashable, Sendable {
    /// Register a new client.
    case register(ClientRegistered)
    /// Record a medical screening.
    case recordScreening(MedicalScreeningRecorded)
    /// Record a signed consent form.
    case signConsent(ConsentSigned)
    /// Withdraw consent for some scopes.
    case withdrawConsent(ConsentWithdrawn)
    /// Book a consultation (reserves the technician's slot).
    case bookConsultation(ConsultationBooked)
    /// Move a consultation (releases the old slot, reserves the new one).
    case rescheduleConsultation(ConsultationRescheduled)
    /// Cancel a consultation (releases the slot).
    case cancelConsultation(ConsultationCancelled)
    /// Record a consultation no-show (releases the slot).
    case markConsultationNoShow(ConsultationNoShow)
    /// Record a consultation held.
    case holdConsultation(ConsultationHeld)
    /// Record pre-care or aftercare instructions given.
    case giveInstructions(InstructionsGiven)
    /// Record that the client acknowledged instructions given for an appointment.
    case acknowledgeInstructions(InstructionsAcknowledged)
    /// Agree a treatment plan.
    case agreeTreatmentPlan(TreatmentPlanAgreed)
    /// Take a deposit.
    case takeDeposit(DepositTaken)
    /// Apply a held deposit to the price.
    case applyDeposit(DepositApplied)
    /// Forfeit a held deposit.
    case forfeitDeposit(DepositForfeited)
    /// Reverse a deposit's forfeit (it is held again).
    case reverseDepositForfeit(DepositForfeitReversed)
    /// Book a course session (reserves the technician's slot). Needs the technician and location in the context.
    case bookSession(SessionBooked)
    /// Cancel a booked session or touch-up (releases the slot).
    case cancelSession(SessionCancelled)
    /// Record a session or touch-up no-show (releases the slot).
    case markSessionNoShow(SessionNoShow)
    /// Record a session performed. Needs the technician and pigment batch in the context.
    case performSession(SessionPerformed)
    /// Record a healing check.
    case recordHealingCheck(HealingCheckRecorded)
    /// Log a photo.
    case logPhoto(PhotoLogged)
    /// Approve a photo for marketing.
    case approvePhotoForMarketing(PhotoApprovedForMarketing)
    /// Record a fade observation.
    case observeFade(FadeObserved)
    /// Recommend a touch-up.
    case recommendTouchUp(TouchUpRecommended)
    /// Book a touch-up (reserves the technician's slot). Needs the technician and location in the context.
    case bookTouchUp(TouchUpBooked)
    /// Record a touch-up performed. Needs the technician and pigment batch in the context.
    case performTouchUp(TouchUpPerformed)
    /// Report an adverse reaction.
    case reportAdverseReaction(AdverseReactionReported)
    /// Record a complaint about a result.
    case recordComplaint(ComplaintRecorded)
    /// Book a correction or removal session (reserves the technician's slot). Needs the technician and location.
    case bookCorrection(CorrectionBooked)
    /// Record a correction or removal session: a booked one performed, or one done by a partner clinic.
    case performCorrection(CorrectionPerformed)
    /// Record a testimonial.
    case recordTestimonial(TestimonialRecorded)
    /// Record a payment.
    case receivePayment(PaymentReceived)
    /// Issue a refund.
    case issueRefund(RefundIssued)
    /// Forget the client (releases future slots).
    case forget(ClientForgotten)
}
