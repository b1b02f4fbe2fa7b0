import Foundation

/// What a client's stream says, folded from its events: everything `ClientDecider` needs to check a command.
public struct ClientState: Hashable, Sendable {
    /// The client.
    public let id: ClientID
    /// True once `client.registered` was seen.
    public internal(set) var isRegistered = false
    /// True once `client.forgotten` was seen.
    public internal(set) var isForgotten = false
    /// When the client registered.
    public internal(set) var registeredAt: Date?
    /// Personal data; nil before registration and after the client was forgotten.
    public internal(set) var personal: PersonalDetails?
    /// The latest medical screening (its personal part is emptied when forgotten).
    public internal(set) var screening: MedicalScreeningRecorded?
    /// Signed consent forms, oldest first.
    public internal(set) var consents: [ConsentRecord] = []
    /// Consultations by appointment.
    public internal(set) var consultations: [AppointmentID: ConsultationRecord] = [:]
    /// The latest consultation held.
    public internal(set) var lastConsultationHeld: ConsultationHeld?
    /// The agreed treatment plan.
    public internal(set) var plan: TreatmentPlanAgreed?
    /// Sessions and touch-ups by appointment.
    public internal(set) var treatments: [AppointmentID: TreatmentAppointment] = [:]
    /// Course sessions performed.
    public internal(set) var sessionsPerformed = 0
    /// Touch-ups performed.
    public internal(set) var touchUpsPerformed = 0
    /// Deposits by id.
    public internal(set) var deposits: [DepositID: DepositRecord] = [:]
    /// Photos by id.
    public internal(set) var photos: [PhotoID: PhotoRecord] = [:]
    /// Care instructions given, by appointment and kind (version 1 history, with no appointment, is not kept).
    public internal(set) var instructions: [AppointmentID: [InstructionKind: GivenInstructions]] = [:]
    /// The latest fade observation.
    public internal(set) var lastFade: FadeObserved?
    /// True after a touch-up was recommended and until one is performed.
    public internal(set) var touchUpRecommended = false
    /// Adverse reactions reported with an id (a correction may answer them).
    public internal(set) var reactions: Set<UUID> = []
    /// Complaints recorded (a correction may answer them).
    public internal(set) var complaints: Set<UUID> = []
    /// Correction bookings by appointment (their status is in `treatments`).
    public internal(set) var correctionBookings: [AppointmentID: CorrectionBooked] = [:]
    /// When pigment was first removed (laser or saline): no touch-ups after it.
    public internal(set) var pigmentRemovedAt: Date?
    /// The currency of the account: set by the plan or the first money moved.
    public internal(set) var accountCurrency: Currency?
    /// Money received (payments and deposits), in minor units.
    public internal(set) var paidMinorUnits: Int64 = 0
    /// Money refunded, in minor units.
    public internal(set) var refundedMinorUnits: Int64 = 0
    /// Number of events folded.
    public internal(set) var version = 0

    /// The state of a client stream with no events.
    public init(id: ClientID) {
        self.id = id
    }

    /// Money received minus money refunded; never negative when every event passed `decide`.
    public var netPaidMinorUnits: Int64 { paidMinorUnits - refundedMinorUnits }

    /// Money the clinic keeps whatever happens: non-refundable and forfeited deposits.
    public var lockedMinorUnits: Int64 {
        deposits.values.reduce(0) { $0 + ($1.isLocked ? $1.amount.minorUnits : 0) }
    }

    /// The most that may still be refunded.
    public var refundableMinorUnits: Int64 { max(0, netPaidMinorUnits - lockedMinorUnits) }

    /// True when a consultation was held.
    public var hasHeldConsultation: Bool { lastConsultationHeld != nil }

    /// True when the agreed course has been performed in full.
    public var isCourseComplete: Bool {
        guard let plan else { return false }
        return sessionsPerformed >= plan.sessionsPlanned
    }

    /// True when some consent covering the scope was valid at that time.
    public func hasConsent(_ scope: ConsentScope, at date: Date) -> Bool {
        consents.contains { $0.covers(scope, at: date) }
    }

    /// Sessions booked or performed in the course.
    public var sessionsScheduledOrPerformed: Int {
        treatments.values.reduce(0) { count, appointment in
            let counts = appointment.kind == .session && appointment.status.isBookedOrCompleted
            return count + (counts ? 1 : 0)
        }
    }

    /// The latest session or touch-up that is booked or performed: the healing interval counts from it.
    public var latestTreatmentTime: Date? {
        treatments.values.lazy.filter { $0.status.isBookedOrCompleted }.map(\.treatmentTime).max()
    }

    /// Folds events into a new state.
    public static func replay(id: ClientID, _ events: some Sequence<ClientEvent>) -> ClientState {
        var state = ClientState(id: id)
        for event in events { state.apply(event) }
        return state
    }

    /// `evolve(state, event) -> state`.
    public static func evolve(_ state: ClientState, _ event: ClientEvent) -> ClientState {
        var next = state
        next.apply(event)
        return next
    }
}
