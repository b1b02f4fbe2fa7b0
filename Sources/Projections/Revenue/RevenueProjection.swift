import Clinic
import EventStore
import Foundation

/// Money by day, location, technician and service; balances per client; rebooking.
///
/// `revenue_daily` accumulates, per day × location × technician × service × currency:
/// cash received (payments and deposits), earned (services performed: a course session at
/// its share of the plan price, a touch-up at its quote, a consultation fee when paid, a
/// forfeited deposit), refunds, and deposits taken, applied, forfeited and refunded.
/// Money that names no till (deposits, forfeits, refunds, payments without a location) is
/// attributed where the client last was: the location and technician of their latest
/// appointment that took place or was closed, else their preferred location; a refund of a
/// deposit goes back to the till that took it. So cash by location matches each location's takings.
/// `revenue_clients` holds each client's balance, deposits held and course/touch-up dates.
/// `revenue_appointments` counts, per slot day × location × technician × kind, appointments that
/// came due: attended, missed, cancelled (by whom, and late: inside the cancellation window).
/// `revenue_visits` has one row per treatment performed and when the client next booked.
public struct RevenueProjection: FoldingProjection {
    public let name = "revenue"
    /// v2: deposits, forfeits and refunds attributed to a location; appointments and visits tables. v3: a booked
    /// correction or removal is earned at its quote when performed (service `correction`). v4: only the events it
    /// `folds` make a client's state (a client with none of them has no state row).
    /// v5: fold states stored as `json` text, not `jsonb` (written and read back verbatim; nothing queries into them).
    public let version = 5

    /// A client cancellation this close to the start (or closer) is late.
    public static let cancellationWindow = TimeInterval(ClinicSettings.standard.cancellationWindowHours) * 3600

    public init() {}

    public struct State: Codable, Sendable {
        public var clientID: String
        public var currency: String?
        public var sessionsPlanned = 0
        public var sessionPrice: Int64 = 0
        public var planTotal: Int64 = 0
        public var charged: Int64 = 0
        public var paid: Int64 = 0
        public var refunded: Int64 = 0
        public var sessionsPerformed = 0
        public var touchUpsPerformed = 0
        public var courseCompletedAt: Date?
        public var touchUpQuotes: [String: Int64] = [:]
        public var deposits: [String: Deposit] = [:]
        public var erased = false
        public var preferredLocation: String?
        /// Where the client last was: the latest appointment that took place or was closed.
        public var lastPlace: Place?
        /// Booked appointments not yet closed.
        public var open: [String: Appointment]?
        public var courseAgreedAt: Date?
        public var coursePlace: Place?
        public var firstTouchUpAt: Date?
        /// The latest treatment performed, until the client books again.
        public var lastVisit: Visit?

        public struct Deposit: Codable, Sendable, Hashable {
            public var amount: Int64
            public var status: String
            public var place: Place?
        }

        public struct Place: Codable, Sendable, Hashable {
            public var location: String
            public var technician: String?
        }

        public struct Appointment: Codable, Sendable, Hashable {
            public var start: Date
            public var kind: String
            public var place: Place
        }

        public struct Visit: Codable, Sendable, Hashable {
            public var appointmentID: String
            public var at: Date
            public var kind: String
            public var place: Place
        }

        /// Where money that names no till is attributed.
        var till: Place? { lastPlace ?? preferredLocation.map { Place(location: $0, technician: nil) } }

        var depositsHeld: Int64 { deposits.values.filter { $0.status == "held" }.reduce(0) { $0 + $1.amount } }
    }

    static let sums = [
        "cash_received_minor", "earned_minor", "refunds_minor", "deposits_taken_minor", "deposits_applied_minor",
        "deposits_forfeited_minor", "deposits_refunded_minor", "services",
    ]

    static let appointmentSums = [
        "came_due", "attended", "no_shows", "cancelled_by_client", "late_cancellations", "cancelled_by_clinic",
    ]

    public var tables: [TableSpec] {
        [
            TableSpec(
                name: "revenue_daily",
                columns: [
                    .init("day", "date NOT NULL"), .init("location", "text NOT NULL"),
                    .init("technician", "text NOT NULL"), .init("service", "text NOT NULL"),
                    .init("currency", "text NOT NULL"),
                ] + Self.sums.map { TableSpec.Column($0, "bigint NOT NULL DEFAULT 0") },
                primaryKey: ["day", "location", "technician", "service", "currency"],
                mode: .accumulate(Self.sums), physicalOrder: .primaryKey),
            TableSpec(
                name: "revenue_clients",
                columns: [
                    .init("client_id", "uuid NOT NULL"), .init("currency", "text"),
                    .init("charged_minor", "bigint NOT NULL"), .init("paid_minor", "bigint NOT NULL"),
                    .init("refunded_minor", "bigint NOT NULL"), .init("outstanding_minor", "bigint NOT NULL"),
                    .init("deposits_held_minor", "bigint NOT NULL"), .init("course_started", "boolean NOT NULL"),
                    .init("course_completed_at", "timestamptz"), .init("touch_ups", "integer NOT NULL"),
                    .init("erased", "boolean NOT NULL"), .init("course_agreed_at", "timestamptz"),
                    .init("course_location", "text"), .init("course_technician", "text"),
                    .init("first_touch_up_at", "timestamptz"),
                ],
                primaryKey: ["client_id"], mode: .upsert),
            TableSpec(
                name: "revenue_appointments",
                columns: [
                    .init("day", "date NOT NULL"), .init("location", "text NOT NULL"),
                    .init("technician", "text NOT NULL"), .init("kind", "text NOT NULL"),
                ] + Self.appointmentSums.map { TableSpec.Column($0, "bigint NOT NULL DEFAULT 0") },
                primaryKey: ["day", "location", "technician", "kind"], mode: .accumulate(Self.appointmentSums),
                physicalOrder: .primaryKey),
            TableSpec(
                name: "revenue_visits",
                columns: [
                    .init("appointment_id", "uuid NOT NULL"), .init("client_id", "uuid NOT NULL"),
                    .init("day", "date NOT NULL"), .init("location", "text NOT NULL"),
                    .init("technician", "text NOT NULL"), .init("kind", "text NOT NULL"),
                    .init("next_booked_at", "timestamptz"),
                ],
                primaryKey: ["appointment_id"], mode: .upsert, indexes: ["day"], physicalOrder: .index(0)),
        ]
    }

    public func stateKey(for stream: EventStreamName) -> String? {
        stream.category == "client" ? stream.id : nil
    }

    /// The client's stream: `client-` and the key.
    public func stream(forKey key: String) -> EventStreamName? {
        (try? EventStreamName(category: "client", id: key)).flatMap { stateKey(for: $0) == key ? $0 : nil }
    }

    public func initialState(for key: String) -> State { State(clientID: key) }

    /// Money, plans, deposits and appointments: not photos, screenings, consents, care, fade or feedback.
    public func folds(_ event: ClinicEvent) -> Bool {
        switch event {
        case .client(.registered), .client(.treatmentPlanAgreed), .client(.paymentReceived), .client(.depositTaken),
            .client(.depositApplied), .client(.depositForfeited), .client(.depositForfeitReversed),
            .client(.refundIssued), .client(.sessionPerformed), .client(.touchUpBooked), .client(.correctionBooked),
            .client(.correctionPerformed), .client(.touchUpPerformed), .client(.forgotten),
            .client(.consultationBooked), .client(.consultationRescheduled), .client(.sessionBooked),
            .client(.consultationHeld), .client(.consultationCancelled), .client(.sessionCancelled),
            .client(.consultationNoShow), .client(.sessionNoShow):
            true
        default: false
        }
    }

    public func fold(
        _ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput
    )
        throws
    {
        guard case .client(let clientEvent) = event else { return }
        try trackAppointments(&state, clientEvent, into: &output)
        var movement = Movement()
        switch clientEvent {
        case .registered(let e):
            state.preferredLocation = e.preferredLocationID?.rawValue
        case .treatmentPlanAgreed(let e):
            state.courseAgreedAt = state.courseAgreedAt ?? e.at
            state.coursePlace = state.coursePlace ?? state.till
            state.currency = state.currency ?? e.pricing.price.currency.code
            let total = e.pricing.total(sessions: e.sessionsPlanned).minorUnits
            state.charged += total - state.planTotal
            state.planTotal = total
            state.sessionsPlanned = e.sessionsPlanned
            state.sessionPrice = e.sessionsPlanned > 0 ? total / Int64(e.sessionsPlanned) : 0
        case .paymentReceived(let e):
            state.currency = state.currency ?? e.amount.currency.code
            state.paid += e.amount.minorUnits
            movement = Movement(
                service: Self.service(e.purpose), location: e.locationID?.rawValue ?? state.till?.location,
                technician: e.locationID == nil ? state.till?.technician : e.technicianID?.rawValue,
                currency: e.amount.currency.code)
            movement.cash = e.amount.minorUnits
            if e.purpose == .consultation {
                movement.earned = e.amount.minorUnits
                movement.services = 1
            }
        case .depositTaken(let e):
            state.currency = state.currency ?? e.amount.currency.code
            state.paid += e.amount.minorUnits
            state.deposits[e.depositID.upperText] = State.Deposit(
                amount: e.amount.minorUnits, status: "held", place: state.till)
            movement = Movement(service: "deposit", at: state.till, currency: e.amount.currency.code)
            movement.cash = e.amount.minorUnits
            movement.depositsTaken = e.amount.minorUnits
        case .depositApplied(let e):
            let amount = state.deposits[e.depositID.upperText]?.amount ?? 0
            state.deposits[e.depositID.upperText]?.status = "applied"
            movement = Movement(service: "deposit", at: state.till, currency: state.currency)
            movement.depositsApplied = amount
        case .depositForfeited(let e):
            let amount = state.deposits[e.depositID.upperText]?.amount ?? 0
            state.deposits[e.depositID.upperText]?.status = "forfeited"
            movement = Movement(service: "forfeited deposit", at: state.till, currency: state.currency)
            movement.depositsForfeited = amount
            movement.earned = amount
        case .depositForfeitReversed(let e):
            // The forfeit is undone where it was booked: the clinic no longer keeps (earns) the deposit.
            guard state.deposits[e.depositID.upperText]?.status == "forfeited" else { return }
            let amount = state.deposits[e.depositID.upperText]?.amount ?? 0
            state.deposits[e.depositID.upperText]?.status = "held"
            movement = Movement(service: "forfeited deposit", at: state.till, currency: state.currency)
            movement.depositsForfeited = -amount
            movement.earned = -amount
        case .refundIssued(let e):
            state.refunded += e.amount.minorUnits
            let place = e.depositID.flatMap { state.deposits[$0.upperText]?.place } ?? state.till
            movement = Movement(service: "refund", at: place, currency: e.amount.currency.code)
            movement.refunds = e.amount.minorUnits
            if let depositID = e.depositID {
                state.deposits[depositID.upperText]?.status = "refunded"
                movement.depositsRefunded = e.amount.minorUnits
            }
        case .sessionPerformed(let e):
            state.sessionsPerformed += 1
            if state.courseCompletedAt == nil, state.sessionsPlanned > 0,
                state.sessionsPerformed >= state.sessionsPlanned
            {
                state.courseCompletedAt = e.at
            }
            movement = Movement(
                service: "course session", location: e.locationID.rawValue, technician: e.technicianID.rawValue,
                currency: state.currency)
            movement.earned = state.sessionPrice
            movement.services = 1
        case .touchUpBooked(let e):
            state.touchUpQuotes[e.appointmentID.upperText] = e.quotedPrice.minorUnits
        case .correctionBooked(let e):
            // Quotes of treatments priced at booking: touch-ups and corrections, by appointment.
            state.touchUpQuotes[e.appointmentID.upperText] = e.quotedPrice.minorUnits
            state.currency = state.currency ?? e.quotedPrice.currency.code
        case .correctionPerformed(let e):
            guard let id = e.appointmentID else { return }
            let price = state.touchUpQuotes.removeValue(forKey: id.upperText) ?? 0
            state.charged += price
            movement = Movement(
                service: "correction", location: e.locationID?.rawValue, technician: e.technicianID?.rawValue,
                currency: state.currency)
            movement.earned = price
            movement.services = 1
        case .touchUpPerformed(let e):
            state.touchUpsPerformed += 1
            state.firstTouchUpAt = state.firstTouchUpAt ?? e.at
            let price = state.touchUpQuotes.removeValue(forKey: e.appointmentID.upperText) ?? 0
            state.charged += price
            movement = Movement(
                service: "touch-up", location: e.locationID.rawValue, technician: e.technicianID.rawValue,
                currency: state.currency)
            movement.earned = price
            movement.services = 1
        case .forgotten:
            state.erased = true
        default:
            return
        }
        if movement.touchesMoney, let currency = movement.currency {
            let day = CalendarDay(event.at).description
            try output.write(
                "revenue_daily",
                [
                    "day": .text(day), "location": .text(movement.location ?? ""),
                    "technician": .text(movement.technician ?? ""), "service": .text(movement.service),
                    "currency": .text(currency), "cash_received_minor": .int(movement.cash),
                    "earned_minor": .int(movement.earned), "refunds_minor": .int(movement.refunds),
                    "deposits_taken_minor": .int(movement.depositsTaken),
                    "deposits_applied_minor": .int(movement.depositsApplied),
                    "deposits_forfeited_minor": .int(movement.depositsForfeited),
                    "deposits_refunded_minor": .int(movement.depositsRefunded), "services": .int(movement.services),
                ])
        }
        // The client's row depends on the state alone: written by `finish`, once per batch live and once per
        // client in a rebuild, instead of once per event.
        output.markPending(state.clientID, at: event.at)
    }

    /// The client's row (`revenue_clients`), from the state after the batch, when an event of the batch moved it.
    public func finish(_ state: State, key: String, into output: inout ProjectionOutput) throws {
        guard output.pendingTime(for: key) != nil else { return }
        try output.write(
            "revenue_clients",
            [
                "client_id": .text(state.clientID), "currency": state.currency.rowValue,
                "charged_minor": .int(state.charged), "paid_minor": .int(state.paid),
                "refunded_minor": .int(state.refunded),
                "outstanding_minor": .int(max(0, state.charged - state.paid + state.refunded)),
                "deposits_held_minor": .int(state.depositsHeld), "course_started": .bool(state.sessionsPlanned > 0),
                "course_completed_at": state.courseCompletedAt.rowValue,
                "touch_ups": .int(Int64(state.touchUpsPerformed)), "erased": .bool(state.erased),
                "course_agreed_at": state.courseAgreedAt.rowValue,
                "course_location": state.coursePlace.map { RowValue.text($0.location) } ?? .null,
                "course_technician": (state.coursePlace?.technician).rowValue,
                "first_touch_up_at": state.firstTouchUpAt.rowValue,
            ])
    }

    /// Follows appointments: where the client last was, which appointments came due and how they ended, and
    /// the treatments performed with the client's next booking.
    func trackAppointments(_ state: inout State, _ event: ClientEvent, into output: inout ProjectionOutput) throws {
        func open(
            _ id: AppointmentID, _ slot: TimeSlot, _ kind: String, _ location: LocationID, _ technician: TechnicianID
        ) {
            var appointments = state.open ?? [:]
            appointments[id.upperText] = State.Appointment(
                start: slot.start, kind: kind,
                place: State.Place(location: location.rawValue, technician: technician.rawValue))
            state.open = appointments
        }
        func booked(at: Date) throws {
            guard let visit = state.lastVisit else { return }
            state.lastVisit = nil
            try writeVisit(visit, client: state.clientID, nextBookedAt: at, into: &output)
        }
        /// Closes an open appointment: counts it on its slot day and remembers where the client was.
        func close(_ id: AppointmentID, at: Date, _ outcome: String, place: State.Place? = nil) throws -> State
            .Appointment?
        {
            guard var appointment = state.open?.removeValue(forKey: id.upperText) else { return nil }
            if let place { appointment.place = place }
            state.lastPlace = appointment.place
            var row: Row = [
                "day": .text(CalendarDay(appointment.start).description), "location": .text(appointment.place.location),
                "technician": .text(appointment.place.technician ?? ""), "kind": .text(appointment.kind),
            ]
            for column in Self.appointmentSums { row[column] = .int(0) }
            row["came_due"] = .int(1)
            row[outcome] = .int(1)
            if outcome == "cancelled_by_client" {
                let late = appointment.start.timeIntervalSince(at) < Self.cancellationWindow
                row["late_cancellations"] = .int(late ? 1 : 0)
            }
            try output.write("revenue_appointments", row)
            return appointment
        }

        func performed(_ id: AppointmentID, at: Date, _ location: LocationID, _ technician: TechnicianID) throws {
            let place = State.Place(location: location.rawValue, technician: technician.rawValue)
            let kind = try close(id, at: at, "attended", place: place)?.kind ?? "session"
            state.lastPlace = place
            let visit = State.Visit(appointmentID: id.upperText, at: at, kind: kind, place: place)
            state.lastVisit = visit
            try writeVisit(visit, client: state.clientID, nextBookedAt: nil, into: &output)
        }

        switch event {
        case .consultationBooked(let e):
            open(e.appointmentID, e.slot, "consultation", e.locationID, e.technicianID)
            try booked(at: e.at)
        case .consultationRescheduled(let e):
            open(e.appointmentID, e.slot, "consultation", e.locationID, e.technicianID)
        case .sessionBooked(let e):
            open(e.appointmentID, e.slot, "session", e.locationID, e.technicianID)
            try booked(at: e.at)
        case .touchUpBooked(let e):
            open(e.appointmentID, e.slot, "touch-up", e.locationID, e.technicianID)
            try booked(at: e.at)
        case .consultationHeld(let e):
            _ = try close(e.appointmentID, at: e.at, "attended")
        case .consultationCancelled(let e):
            _ = try close(
                e.appointmentID, at: e.at, e.cancelledBy == .clinic ? "cancelled_by_clinic" : "cancelled_by_client")
        case .sessionCancelled(let e):
            _ = try close(
                e.appointmentID, at: e.at, e.cancelledBy == .clinic ? "cancelled_by_clinic" : "cancelled_by_client")
        case .consultationNoShow(let e):
            _ = try close(e.appointmentID, at: e.at, "no_shows")
        case .sessionNoShow(let e):
            _ = try close(e.appointmentID, at: e.at, "no_shows")
        case .sessionPerformed(let e):
            try performed(e.appointmentID, at: e.at, e.locationID, e.technicianID)
        case .touchUpPerformed(let e):
            try performed(e.appointmentID, at: e.at, e.locationID, e.technicianID)
        case .forgotten:
            state.open = nil
        default:
            break
        }
    }

    func writeVisit(_ visit: State.Visit, client: String, nextBookedAt: Date?, into output: inout ProjectionOutput)
        throws
    {
        try output.write(
            "revenue_visits",
            [
                "appointment_id": .text(visit.appointmentID), "client_id": .text(client),
                "day": .text(CalendarDay(visit.at).description), "location": .text(visit.place.location),
                "technician": .text(visit.place.technician ?? ""), "kind": .text(visit.kind),
                "next_booked_at": nextBookedAt.rowValue,
            ])
    }

    static func service(_ purpose: PaymentPurpose) -> String {
        switch purpose {
        case .consultation: "consultation"
        case .session, .package: "course session"
        case .touchUp: "touch-up"
        case .correction: "correction"
        case .other: "other"
        }
    }

    struct Movement {
        var service = ""
        var location: String?
        var technician: String?
        var currency: String?

        init() {}

        init(service: String, location: String? = nil, technician: String? = nil, currency: String?) {
            self.service = service
            self.location = location
            self.technician = technician
            self.currency = currency
        }

        init(service: String, at place: State.Place?, currency: String?) {
            self.init(service: service, location: place?.location, technician: place?.technician, currency: currency)
        }
        var cash: Int64 = 0
        var earned: Int64 = 0
        var refunds: Int64 = 0
        var depositsTaken: Int64 = 0
        var depositsApplied: Int64 = 0
        var depositsForfeited: Int64 = 0
        var depositsRefunded: Int64 = 0
        var services: Int64 = 0

        var touchesMoney: Bool {
            cash != 0 || earned != 0 || refunds != 0 || depositsTaken != 0 || depositsApplied != 0
                || depositsForfeited != 0 || depositsRefunded != 0 || services != 0
        }
    }
}
