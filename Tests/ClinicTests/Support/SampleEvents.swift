import Foundation
@testable import Clinic

/// One fully populated sample of every event type, for round-trip tests.
enum SampleEvents {
    static let at = Fixture.date("2026-03-02", hour: 14, minute: 30)
    static let id = Fixture.uuid(0xABC)
    static let slot = TimeSlot(start: Fixture.date("2026-03-09"), minutes: 180)
    static let money = Fixture.usd(2400)
    static let override = ContraindicationOverride(
        technicianID: Fixture.technicianID, reason: "Cleared",
        overridden: [.keloidHistory])

    static var client: [ClientEvent] {
        [
            .registered(World.registration(at: at)),
            .medicalScreeningRecorded(World.screening(at: at, contraindications: [.diabetes, .radiotherapy])),
            .consentSigned(
                ConsentSigned(
                    at: at, consentID: id, formVersion: "2023-06",
                    scopes: [.treatment, .clinicalPhotos, .marketingPhotos])),
            .consentWithdrawn(ConsentWithdrawn(at: at, formVersion: "2023-06", scopes: [.marketingPhotos])),
            .consultationBooked(
                ConsultationBooked(
                    at: at, appointmentID: id, slot: slot,
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID)),
            .consultationRescheduled(
                ConsultationRescheduled(
                    at: at, appointmentID: id, slot: slot, locationID: Fixture.locationID,
                    technicianID: Fixture.otherTechnicianID)),
            .consultationCancelled(
                ConsultationCancelled(
                    at: at, appointmentID: id, cancelledBy: .clinic,
                    reason: "Technician ill")),
            .consultationNoShow(ConsultationNoShow(at: at, appointmentID: id)),
            .consultationHeld(World.held(at: at)),
            .instructionsGiven(
                InstructionsGiven(
                    at: at, kind: .aftercare, instructionSetID: Fixture.instructionSetID, instructionSetVersion: 2,
                    appointmentID: id, channel: .sms)),
            .instructionsAcknowledged(
                InstructionsAcknowledged(at: at, appointmentID: id, kind: .aftercare, method: .link)),
            .treatmentPlanAgreed(
                TreatmentPlanAgreed(
                    at: at, sessionsPlanned: 3,
                    pricing: PlanPricing(model: .perSession, price: Fixture.usd(800)),
                    depositDue: Fixture.usd(300))),
            .depositTaken(
                DepositTaken(
                    at: at, depositID: id, amount: Fixture.usd(300), refundable: false,
                    method: .bankTransfer)),
            .depositApplied(DepositApplied(at: at, depositID: id)),
            .depositForfeited(
                DepositForfeited(
                    at: at, depositID: id, reason: "No-show",
                    policy: DepositPolicyAction(trigger: .noShow, appointmentID: id, locationID: Fixture.locationID))),
            .depositForfeitReversed(
                DepositForfeitReversed(at: at, depositID: id, reversedBy: "Dana", reason: "Was in hospital")),
            .marketingApprovalRevoked(
                MarketingApprovalRevoked(at: at, photoID: id, consentID: id, purpose: "Website gallery")),
            .sessionBooked(
                SessionBooked(
                    at: at, appointmentID: id, sessionNumber: 2, slot: slot,
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID,
                    contraindicationOverride: override)),
            .sessionCancelled(SessionCancelled(at: at, appointmentID: id, cancelledBy: .client)),
            .sessionNoShow(SessionNoShow(at: at, appointmentID: id)),
            .sessionPerformed(
                SessionPerformed(
                    at: at, appointmentID: id, sessionNumber: 2,
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID,
                    treatment: Fixture.treatment())),
            .healingCheckRecorded(
                HealingCheckRecorded(
                    at: at, appointmentID: id, day: 7, assessment: .prolongedRedness,
                    personal: MedicalNotes(notes: "Mild redness at temples"))),
            .photoLogged(
                PhotoLogged(
                    at: at, photoID: id, contentHash: Fixture.hash, sizeBytes: 2_345_678,
                    mediaType: "image/jpeg", stage: .healingDay(7), angle: .hairlineCloseUp,
                    consentScope: .marketingPhotos, measuredDensity: 0.62, appointmentID: id)),
            .photoApprovedForMarketing(
                PhotoApprovedForMarketing(
                    at: at, photoID: id, consentID: id,
                    purpose: "Website")),
            .fadeObserved(FadeObserved(at: at, density: 0.73, method: .dermatoscope, uvExposure: .moderate)),
            .touchUpRecommended(
                TouchUpRecommended(
                    at: at, reason: "Density 60%",
                    recommendedBy: Fixture.technicianID)),
            .touchUpBooked(
                TouchUpBooked(
                    at: at, appointmentID: id, slot: slot, locationID: Fixture.locationID,
                    technicianID: Fixture.technicianID, quotedPrice: Fixture.usd(800))),
            .touchUpPerformed(
                TouchUpPerformed(
                    at: at, appointmentID: id, locationID: Fixture.locationID,
                    technicianID: Fixture.technicianID, treatment: Fixture.treatment())),
            .adverseReactionReported(
                AdverseReactionReported(
                    at: at, kind: .allergicReaction, severity: .moderate, appointmentID: id,
                    pigmentBatch: Fixture.batchNumber, personal: MedicalNotes(notes: "Itching"), reactionID: id)),
            .complaintRecorded(
                ComplaintRecorded(
                    at: at, complaintID: id, topic: .colour, appointmentID: id,
                    personal: MedicalNotes(notes: "Healed with a blue cast"))),
            .correctionBooked(
                CorrectionBooked(
                    at: at, appointmentID: id, method: .laserRemoval, sessionNumber: 2, slot: slot,
                    locationID: Fixture.locationID, technicianID: Fixture.technicianID, quotedPrice: Fixture.usd(500),
                    cause: CorrectionCause(kind: .complaint, id: id), contraindicationOverride: override)),
            .correctionPerformed(
                CorrectionPerformed(
                    at: at, method: .laserRemoval, sessionNumber: 2,
                    areas: [.frontalHairline, .temples], provider: "Laser clinic",
                    technicianID: Fixture.technicianID, appointmentID: id, locationID: Fixture.locationID)),
            .testimonialRecorded(
                TestimonialRecorded(
                    at: at, text: "Life-changing", rating: 5,
                    marketingConsentID: id)),
            .paymentReceived(
                PaymentReceived(
                    at: at, paymentID: id, amount: money, method: .financing,
                    purpose: .package, appointmentID: id, locationID: Fixture.locationID,
                    technicianID: Fixture.technicianID)),
            .refundIssued(
                RefundIssued(
                    at: at, refundID: id, amount: Fixture.usd(100), method: .card,
                    reason: "Goodwill", depositID: id)),
            .forgotten(ClientForgotten(at: at, reason: "Erasure request")),
        ]
    }

    static var all: [ClinicEvent] {
        client.map(ClinicEvent.client) + [
            .technician(
                .registered(
                    TechnicianRegistered(
                        at: at, displayName: "Alex",
                        homeLocationID: Fixture.locationID))),
            .technician(
                .certificationRecorded(
                    CertificationRecorded(
                        at: at, body: "ISMPA", certificateNumber: "C-1", issuedOn: Fixture.day("2026-01-01"),
                        expiresOn: Fixture.day("2027-12-31")))),
            .technician(.deactivated(TechnicianDeactivated(at: at, reason: "Left"))),
            .technician(
                .slotReserved(
                    SlotReserved(
                        at: at, appointmentID: id, clientID: Fixture.clientID,
                        kind: .touchUp, slot: slot, locationID: Fixture.locationID))),
            .technician(.slotReleased(SlotReleased(at: at, appointmentID: id, reason: .rescheduled))),
            .pigmentBatch(
                .received(
                    PigmentBatchReceived(
                        at: at, product: "Scalp Pigment Dark",
                        batchNumber: Fixture.batchNumber,
                        expiresOn: Fixture.day("2027-06-30"), supplier: "DermaBlend",
                        locationID: Fixture.locationID))),
            .pigmentBatch(.recalled(PigmentBatchRecalled(at: at, reason: "Contaminated with PAH"))),
            .location(
                .opened(
                    LocationOpened(
                        at: at, name: "Stipple NYC", city: "New York",
                        timeZone: "America/New_York", currency: .usd))),
            .location(
                .hoursSet(
                    LocationHoursSet(
                        at: at,
                        hours: [
                            OpeningHours(weekday: 1, opensAtMinute: 540, closesAtMinute: 1080),
                            OpeningHours(weekday: 6, opensAtMinute: 600, closesAtMinute: 960),
                        ]))),
            .care(
                .published(
                    InstructionSetPublished(
                        at: at, name: "SMP standard care",
                        items: [
                            CareItem(kind: .preCare, topic: .haircut, text: "Shave the day before", fromDay: -1),
                            CareItem(kind: .aftercare, topic: .sweating, text: "No gym for 5 days", days: 5),
                        ]))),
            .care(
                .revised(
                    InstructionSetRevised(
                        at: at, version: 2,
                        items: [CareItem(kind: .aftercare, topic: .sun, text: "Hat, then SPF 50", days: 28)],
                        reason: "Sun advice"))),
            .settings(
                .changed(
                    ClinicSettingsChanged(
                        at: at, locationID: Fixture.locationID,
                        settings: SettingValues(
                            minimumAge: 21, cancellationWindowHours: 24,
                            depositPolicy: DepositPolicy(percentOfPrice: 10)),
                        changedBy: "Dana", reason: "Insurer's condition"))),
            .settings(
                .consentFormPublished(
                    ConsentFormPublished(
                        at: at, formVersion: "2026-03", contentHash: Fixture.hash,
                        scopes: [.treatment, .clinicalPhotos], requiresReconsent: true, publishedBy: "Dana",
                        reason: "Adds the photo retention period"))),
        ]
    }
}
