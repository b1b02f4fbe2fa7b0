import Foundation

/// One simulated client: their stream's state, their profile, and the step they are at.
final class ClientAgent {
    enum Step {
        case register, rescheduleConsultation, cancelConsultation, rebookConsultation, consultationDay
        case agreePlan, bookSession, abandonCourse, cancelAndRebook, sessionDay, afterSession, healingCheck
        case healed, fadeCheck, touchUpDay, afterTouchUp, correctionDay, afterCorrection
    }

    let id: ClientID
    let stream: StreamName
    let locationIndex: Int
    var state: ClientState
    var step: Step = .register

    // Profile.
    var isWoman = false
    var hairLoss = HairLossStage.norwood(3)
    var fitzpatrick = FitzpatrickType.iii
    var product = 0
    var sessionsPlanned = 3
    var courseTotal: Int64 = 0
    var depositMinor: Int64 = 0
    var depositRefundable = false
    var consultationFee: Int64 = 0
    var blocking = false
    var override: ContraindicationOverride?
    var marketingConsentID: ConsentID?
    var fadeRate = 0.1
    /// Habits asked about at follow-ups: regular heavy sweating and swimming speed fading up (by 15% each here).
    var sweats = false
    var swims = false
    var touchUpAfterYears = 4.0

    // Progress.
    var appointment: (id: AppointmentID, slot: TimeSlot, technician: Int)?
    var depositID: DepositID?
    var noShows = 0
    /// Treatments the clinic cancelled in a row (a rule refused them on the day).
    var clinicCancellations = 0
    var bookingAttempts = 0
    var cycleStart: Date?
    var lastPerformed: (appointment: AppointmentID, technician: Int, batch: PigmentBatchNumber)?
    /// The latest adverse reaction reported, which a correction may answer.
    var reactionID: UUID?
    /// A booked correction or removal.
    var correction: (id: AppointmentID, slot: TimeSlot, technician: Int, method: CorrectionMethod, price: Int64)?

    init(id: ClientID, locationIndex: Int) {
        self.id = id
        self.stream = .client(id)
        self.locationIndex = locationIndex
        self.state = ClientState(id: id)
    }
}
