import Foundation

/// Why a command was refused. Each case reads as a sentence through `message`.
public enum Rejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// The command's business time is after the decision time.
    case inTheFuture(at: Date, now: Date)
    /// A field is out of range or blank.
    case invalidValue(field: String, reason: String)
    /// The client stream has no registration.
    case clientNotRegistered(ClientID)
    /// The client is already registered.
    case clientAlreadyRegistered(ClientID)
    /// The client was forgotten; only refunds are still possible.
    case clientForgotten(ClientID)
    /// An id (appointment, deposit, photo, consent) is already used on this stream.
    case duplicateID(kind: String, id: UUID)
    /// The appointment does not exist on this client stream.
    case unknownAppointment(AppointmentID)
    /// The appointment is not in the state the command needs.
    case appointmentNotBooked(AppointmentID, status: AppointmentStatus)
    /// A booking must start after it is made.
    case appointmentInThePast(start: Date, bookedAt: Date)
    /// A no-show can only be recorded once the appointment started.
    case appointmentNotStarted(AppointmentID, start: Date)
    /// The slot's end is not after its start, or it is too long.
    case invalidSlot(TimeSlot, reason: String)
    /// No consultation was held yet.
    case noConsultationHeld
    /// No consent for the scope at that time.
    case consentMissing(ConsentScope, at: Date)
    /// No medical screening recorded.
    case noScreening
    /// Blocking contraindications without a technician override.
    case blockingContraindications([Contraindication])
    /// The override has a blank reason.
    case overrideReasonMissing
    /// The client is under the minimum age on the treatment day.
    case underage(age: Int, on: CalendarDay, minimum: Int)
    /// The client's birth date is unknown (forgotten).
    case dateOfBirthUnknown
    /// No treatment plan agreed.
    case noTreatmentPlan
    /// A plan was already agreed.
    case treatmentPlanAlreadyAgreed
    /// Every planned session is already booked or performed.
    case courseComplete(sessionsPlanned: Int)
    /// Touch-ups need the course to be complete.
    case courseNotComplete(performed: Int, planned: Int)
    /// Fades, reactions and corrections need a treatment performed first.
    case noTreatmentPerformed
    /// The next treatment is too soon after the last one.
    case healingIntervalNotElapsed(last: Date, earliest: Date)
    /// The technician stream has no registration (or was not loaded).
    case unknownTechnician(TechnicianID)
    /// The technician was deactivated.
    case technicianInactive(TechnicianID)
    /// The technician has no certification valid on that day.
    case certificationLapsed(TechnicianID, expiredOn: CalendarDay?, on: CalendarDay)
    /// The technician already holds an overlapping slot.
    case technicianUnavailable(TechnicianID, conflicting: AppointmentID, slot: TimeSlot)
    /// The technician is already registered.
    case technicianAlreadyRegistered(TechnicianID)
    /// The location was never opened (or was not loaded).
    case unknownLocation(LocationID)
    /// The location is already opened.
    case locationAlreadyOpened(LocationID)
    /// The pigment batch was never received (or was not loaded).
    case unknownPigmentBatch(PigmentBatchNumber)
    /// The batch is already received.
    case pigmentBatchAlreadyReceived(PigmentBatchNumber)
    /// The batch was recalled.
    case pigmentBatchRecalled(PigmentBatchNumber, on: CalendarDay, reason: String)
    /// The batch expired before the treatment day.
    case pigmentBatchExpired(PigmentBatchNumber, expiredOn: CalendarDay, on: CalendarDay)
    /// Payments, deposits and refunds must be above zero.
    case nonPositiveAmount(Money)
    /// The amount is not in the account currency.
    case currencyMismatch(expected: Currency, actual: Currency)
    /// The refund is more than may be refunded.
    case refundExceedsRefundable(requested: Money, refundable: Money)
    /// The deposit does not exist.
    case unknownDeposit(DepositID)
    /// The deposit is non-refundable.
    case depositNotRefundable(DepositID)
    /// The deposit is no longer held.
    case depositNotHeld(DepositID, status: DepositStatus)
    /// The photo does not exist.
    case unknownPhoto(PhotoID)
    /// No marketing consent was valid when the photo was taken.
    case marketingConsentMissing(PhotoID, takenAt: Date)
    /// The marketing consent was withdrawn.
    case marketingConsentWithdrawn(ConsentID, on: Date)
    /// The consent referenced does not exist or does not cover marketing.
    case unknownMarketingConsent(ConsentID)
    /// The client's pigment was removed: there is nothing to touch up.
    case pigmentRemoved(on: Date)
    /// Something was recorded at an appointment that was cancelled or missed, or before it started.
    case appointmentDidNotTakePlace(AppointmentID, status: AppointmentStatus, start: Date)
    /// The adverse reaction or complaint a correction names is not on this client's stream.
    case unknownCorrectionCause(CorrectionCause)
    /// The care instruction set was never published (or was not loaded).
    case unknownInstructionSet(InstructionSetID)
    /// The care instruction set is already published.
    case instructionSetAlreadyPublished(InstructionSetID)
    /// The version given is not the one in force at that time.
    case instructionVersionNotInForce(InstructionSetID, version: Int, inForce: Int, at: Date)
    /// The set has no items of that kind.
    case noInstructionsOfKind(InstructionSetID, version: Int, kind: InstructionKind)
    /// No instructions of that kind were given for the appointment (by that time).
    case instructionsNotGiven(AppointmentID, kind: InstructionKind)
    /// The instructions were already acknowledged.
    case instructionsAlreadyAcknowledged(AppointmentID, kind: InstructionKind, on: Date)
    /// The slot falls outside the location's opening hours, read in its own time zone.
    case outsideOpeningHours(LocationID, start: LocalTime, end: LocalTime, timeZone: String, hours: OpeningHours?)
    /// The location's time zone is not a known IANA identifier, so its hours cannot be read.
    case unknownTimeZone(LocationID, String)
    /// The latest medical screening is older than the clinic's validity on the treatment day.
    case screeningExpired(recordedOn: CalendarDay, validUntil: CalendarDay, on: CalendarDay, months: Int)
    /// The consent form version signed was never published by the clinic.
    case unknownConsentForm(String)
    /// The content hash signed is not the published form's.
    case consentFormMismatch(String, expected: String)
    /// A form the clinic marked as requiring re-consent was published; the client has not signed it yet.
    case reconsentRequired(formVersion: String, publishedOn: CalendarDay)
    /// The location's deposit policy needs more deposit held before a course session is booked.
    case depositRequired(LocationID, required: Money, covered: Money)

    /// A human-readable explanation.
    public var message: String {
        switch self {
        case .inTheFuture(let at, let now):
            "the command is for \(BusinessTime.iso(at)), after the current time \(BusinessTime.iso(now))"
        case .invalidValue(let field, let reason): "\(field) is invalid: \(reason)"
        case .clientNotRegistered(let id): "client \(id.uuidString.lowercased()) is not registered"
        case .clientAlreadyRegistered(let id): "client \(id.uuidString.lowercased()) is already registered"
        case .clientForgotten(let id): "client \(id.uuidString.lowercased()) was forgotten; only refunds are possible"
        case .duplicateID(let kind, let id): "\(kind) \(id.uuidString.lowercased()) already exists"
        case .unknownAppointment(let id): "no appointment \(id.uuidString.lowercased()) for this client"
        case .appointmentNotBooked(let id, let status):
            "appointment \(id.uuidString.lowercased()) is \(status.rawValue), not booked"
        case .appointmentInThePast(let start, let bookedAt):
            "an appointment at \(BusinessTime.iso(start)) cannot be booked at \(BusinessTime.iso(bookedAt))"
        case .appointmentNotStarted(let id, let start):
            "appointment \(id.uuidString.lowercased()) starts at \(BusinessTime.iso(start)); it cannot be missed yet"
        case .invalidSlot(let slot, let reason): "slot \(slot) is invalid: \(reason)"
        case .noConsultationHeld: "no consultation has been held yet"
        case .consentMissing(let scope, let at):
            "no \(scope.rawValue) consent was valid on \(CalendarDay(at))"
        case .noScreening: "no medical screening has been recorded"
        case .blockingContraindications(let list):
            "blocked by \(list.map(\.rawValue).joined(separator: ", ")); "
                + "a technician override with a written reason is required"
        case .overrideReasonMissing: "a contraindication override needs a written reason"
        case .underage(let age, let day, let minimum):
            "the client is \(age) on \(day); treatment needs at least \(minimum)"
        case .dateOfBirthUnknown: "the client's date of birth is unknown"
        case .noTreatmentPlan: "no treatment plan has been agreed"
        case .treatmentPlanAlreadyAgreed: "a treatment plan has already been agreed"
        case .courseComplete(let planned): "all \(planned) planned sessions are already booked or performed"
        case .courseNotComplete(let performed, let planned):
            "the course is not complete (\(performed) of \(planned) sessions performed); touch-ups come after it"
        case .noTreatmentPerformed: "no treatment has been performed yet"
        case .healingIntervalNotElapsed(let last, let earliest):
            "the last treatment was on \(CalendarDay(last)); the next may start from \(BusinessTime.iso(earliest))"
        case .unknownTechnician(let id): "technician \(id) is not registered"
        case .technicianInactive(let id): "technician \(id) is deactivated"
        case .certificationLapsed(let id, let expiredOn, let day):
            if let expiredOn {
                "technician \(id)'s certification expired on \(expiredOn); not valid on \(day)"
            } else {
                "technician \(id) has no certification valid on \(day)"
            }
        case .technicianUnavailable(let id, let conflicting, let slot):
            "technician \(id) is already booked \(slot) (appointment \(conflicting.uuidString.lowercased()))"
        case .technicianAlreadyRegistered(let id): "technician \(id) is already registered"
        case .unknownLocation(let id): "location \(id) has not been opened"
        case .locationAlreadyOpened(let id): "location \(id) is already opened"
        case .unknownPigmentBatch(let batch): "pigment batch \(batch) has not been received"
        case .pigmentBatchAlreadyReceived(let batch): "pigment batch \(batch) was already received"
        case .pigmentBatchRecalled(let batch, let day, let reason):
            "pigment batch \(batch) was recalled on \(day): \(reason)"
        case .pigmentBatchExpired(let batch, let expiredOn, let day):
            "pigment batch \(batch) expired on \(expiredOn); it cannot be used on \(day)"
        case .nonPositiveAmount(let money): "the amount must be above zero, not \(money)"
        case .currencyMismatch(let expected, let actual): "the account is in \(expected), not \(actual)"
        case .refundExceedsRefundable(let requested, let refundable):
            "a refund of \(requested) exceeds the \(refundable) that may be refunded"
        case .unknownDeposit(let id): "no deposit \(id.uuidString.lowercased())"
        case .depositNotRefundable(let id):
            "deposit \(id.uuidString.lowercased()) is non-refundable; it can only be applied or forfeited"
        case .depositNotHeld(let id, let status): "deposit \(id.uuidString.lowercased()) is already \(status.rawValue)"
        case .unknownPhoto(let id): "no photo \(id.uuidString.lowercased())"
        case .marketingConsentMissing(let id, let takenAt):
            "photo \(id.uuidString.lowercased()) was taken on \(CalendarDay(takenAt)) without marketing consent"
        case .marketingConsentWithdrawn(let id, let on):
            "marketing consent \(id.uuidString.lowercased()) was withdrawn on \(CalendarDay(on))"
        case .unknownMarketingConsent(let id):
            "consent \(id.uuidString.lowercased()) does not exist or does not cover marketing photos"
        case .pigmentRemoved(let on):
            "the client's pigment was removed on \(CalendarDay(on)); there is nothing to touch up"
        case .unknownConsentForm(let version): "consent form version \(version) has not been published"
        case .consentFormMismatch(let version, let expected):
            "the content hash does not match consent form \(version) as published (\(expected))"
        case .reconsentRequired(let version, let day):
            "consent form \(version), published on \(day), must be signed before treatment"
        case .depositRequired(let location, let required, let covered):
            "the deposit policy of \(location) requires a deposit of \(required) before booking; "
                + "\(covered) is held or applied"
        case .appointmentDidNotTakePlace(let id, let status, let start):
            status == .booked
                ? "appointment \(id.uuidString.lowercased()) starts at \(BusinessTime.iso(start)); "
                    + "nothing can be recorded at it before then"
                : "appointment \(id.uuidString.lowercased()) was \(status == .noShow ? "missed" : status.rawValue); "
                    + "nothing can be recorded at it"
        case .unknownCorrectionCause(let cause):
            "no \(cause.kind == .complaint ? "complaint" : "adverse reaction") "
                + "\(cause.id.map { $0.uuidString.lowercased() } ?? "(no id)") was recorded for this client"
        case .unknownInstructionSet(let id): "care instruction set \(id) has not been published"
        case .instructionSetAlreadyPublished(let id): "care instruction set \(id) is already published; revise it"
        case .instructionVersionNotInForce(let id, let version, let inForce, let at):
            "version \(version) of care instruction set \(id) was not the one in force on \(BusinessTime.iso(at)); "
                + "version \(inForce) was"
        case .noInstructionsOfKind(let id, let version, let kind):
            "version \(version) of care instruction set \(id) has no \(kind.rawValue) items"
        case .instructionsNotGiven(let id, let kind):
            "no \(kind.rawValue) instructions were given for appointment \(id.uuidString.lowercased())"
        case .instructionsAlreadyAcknowledged(let id, let kind, let on):
            "the \(kind.rawValue) instructions for appointment \(id.uuidString.lowercased()) were already "
                + "acknowledged on \(BusinessTime.iso(on))"
        case .outsideOpeningHours(let id, let start, let end, let zone, let hours):
            if let hours {
                "location \(id) is open \(LocalTime.weekdayNames[hours.weekday - 1]) "
                    + "\(LocalTime.clock(hours.opensAtMinute))–\(LocalTime.clock(hours.closesAtMinute)) (\(zone)); "
                    + "the slot runs \(start)–\(end.day == start.day ? end.clock : end.description) there"
            } else {
                "location \(id) is closed on \(LocalTime.weekdayNames[start.weekday - 1])s (\(zone)); "
                    + "the slot starts \(start) there"
            }
        case .unknownTimeZone(let id, let zone):
            "location \(id)'s time zone \(zone) is not an IANA time zone; its opening hours cannot be checked"
        case .screeningExpired(let recordedOn, let validUntil, let day, let months):
            "the medical screening of \(recordedOn) was valid for \(months) months, until \(validUntil); "
                + "record a new screening before treating on \(day)"
        }
    }

    /// The message.
    public var description: String { message }
}
