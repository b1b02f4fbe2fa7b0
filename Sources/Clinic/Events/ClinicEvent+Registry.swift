import Foundation

extension ClinicEvent {
    /// Every event type the module reads, with its current version and upcasters for older versions.
    static let decoders: [EventDecoder] = [
        EventDecoder(ClientRegistered.self, upcasters: [1: EventDecoder.upcaster(ClientRegisteredV1.self)]) {
            .client(.registered($0))
        },
        EventDecoder(MedicalScreeningRecorded.self) { .client(.medicalScreeningRecorded($0)) },
        EventDecoder(ConsentSigned.self, upcasters: [1: EventDecoder.upcaster(ConsentSignedV1.self)]) {
            .client(.consentSigned($0))
        },
        EventDecoder(ConsentWithdrawn.self) { .client(.consentWithdrawn($0)) },
        EventDecoder(ConsultationBooked.self) { .client(.consultationBooked($0)) },
        EventDecoder(ConsultationRescheduled.self) { .client(.consultationRescheduled($0)) },
        EventDecoder(ConsultationCancelled.self) { .client(.consultationCancelled($0)) },
        EventDecoder(ConsultationNoShow.self) { .client(.consultationNoShow($0)) },
        EventDecoder(ConsultationHeld.self, upcasters: [1: EventDecoder.upcaster(ConsultationHeldV1.self)]) {
            .client(.consultationHeld($0))
        },
        EventDecoder(InstructionsGiven.self, upcasters: [1: EventDecoder.upcaster(InstructionsGivenV1.self)]) {
            .client(.instructionsGiven($0))
        },
        EventDecoder(InstructionsAcknowledged.self) { .client(.instructionsAcknowledged($0)) },
        EventDecoder(TreatmentPlanAgreed.self) { .client(.treatmentPlanAgreed($0)) },
        EventDecoder(DepositTaken.self) { .client(.depositTaken($0)) },
        EventDecoder(DepositApplied.self) { .client(.depositApplied($0)) },
        EventDecoder(DepositForfeited.self, upcasters: [1: EventDecoder.upcaster(DepositForfeitedV1.self)]) {
            .client(.depositForfeited($0))
        },
        EventDecoder(DepositForfeitReversed.self) { .client(.depositForfeitReversed($0)) },
        EventDecoder(SessionBooked.self) { .client(.sessionBooked($0)) },
        EventDecoder(SessionCancelled.self) { .client(.sessionCancelled($0)) },
        EventDecoder(SessionNoShow.self) { .client(.sessionNoShow($0)) },
        EventDecoder(SessionPerformed.self) { .client(.sessionPerformed($0)) },
        EventDecoder(HealingCheckRecorded.self) { .client(.healingCheckRecorded($0)) },
        EventDecoder(PhotoLogged.self, upcasters: [1: EventDecoder.upcaster(PhotoLoggedV1.self)]) {
            .client(.photoLogged($0))
        },
        EventDecoder(PhotoApprovedForMarketing.self) { .client(.photoApprovedForMarketing($0)) },
        EventDecoder(MarketingApprovalRevoked.self) { .client(.marketingApprovalRevoked($0)) },
        EventDecoder(FadeObserved.self, upcasters: [1: EventDecoder.upcaster(FadeObservedV1.self)]) {
            .client(.fadeObserved($0))
        },
        EventDecoder(TouchUpRecommended.self) { .client(.touchUpRecommended($0)) },
        EventDecoder(TouchUpBooked.self) { .client(.touchUpBooked($0)) },
        EventDecoder(TouchUpPerformed.self) { .client(.touchUpPerformed($0)) },
        EventDecoder(AdverseReactionReported.self) { .client(.adverseReactionReported($0)) },
        EventDecoder(ComplaintRecorded.self) { .client(.complaintRecorded($0)) },
        EventDecoder(CorrectionBooked.self) { .client(.correctionBooked($0)) },
        EventDecoder(CorrectionPerformed.self, upcasters: [1: EventDecoder.upcaster(CorrectionPerformedV1.self)]) {
            .client(.correctionPerformed($0))
        },
        EventDecoder(TestimonialRecorded.self, upcasters: [1: EventDecoder.upcaster(TestimonialRecordedV1.self)]) {
            .client(.testimonialRecorded($0))
        },
        EventDecoder(PaymentReceived.self) { .client(.paymentReceived($0)) },
        EventDecoder(RefundIssued.self, upcasters: [1: EventDecoder.upcaster(RefundIssuedV1.self)]) {
            .client(.refundIssued($0))
        },
        EventDecoder(ClientForgotten.self) { .client(.forgotten($0)) },
        EventDecoder(TechnicianRegistered.self) { .technician(.registered($0)) },
        EventDecoder(CertificationRecorded.self) { .technician(.certificationRecorded($0)) },
        EventDecoder(TechnicianDeactivated.self) { .technician(.deactivated($0)) },
        EventDecoder(SlotReserved.self) { .technician(.slotReserved($0)) },
        EventDecoder(SlotReleased.self) { .technician(.slotReleased($0)) },
        EventDecoder(PigmentBatchReceived.self) { .pigmentBatch(.received($0)) },
        EventDecoder(PigmentBatchRecalled.self) { .pigmentBatch(.recalled($0)) },
        EventDecoder(LocationOpened.self) { .location(.opened($0)) },
        EventDecoder(LocationHoursSet.self) { .location(.hoursSet($0)) },
        EventDecoder(InstructionSetPublished.self) { .care(.published($0)) },
        EventDecoder(InstructionSetRevised.self) { .care(.revised($0)) },
        EventDecoder(ClinicSettingsChanged.self) { .settings(.changed($0)) },
        EventDecoder(ConsentFormPublished.self) { .settings(.consentFormPublished($0)) },
    ]
}
