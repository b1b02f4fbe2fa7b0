import Clinic
import EventStore
import Foundation

/// Money by day, location, technician and service; balances per client; rebooking.
///
/// `revenue_daily` accumulates, per day × location × technician × service × currency:
/// cash received (payments and deposits), earned (services performed: a course session at
/// its share of the plan price, a touch-up at its quote, a consultation fee when paid, a
/// forfeited deposit), refunds, and deposits taken, applied, forfeited and refunded.
/// `revenue_clients` holds each client's balance, deposits held and course/touch-up status.
public struct RevenueProjection: FoldingProjection {
    public let name = "revenue"
    public let version = 1

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

        public struct Deposit: Codable, Sendable, Hashable {
            public var amount: Int64
            public var status: String
        }

        var depositsHeld: Int64 { deposits.values.filter { $0.status == "held" }.reduce(0) { $0 + $1.amount } }
    }

    static let sums = [
        "cash_received_minor", "earned_minor", "refunds_minor", "deposits_taken_minor", "deposits_applied_minor",
        "deposits_forfeited_minor", "deposits_refunded_minor", "services",
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
                mode: .accumulate(Self.sums)),
            TableSpec(
                name: "revenue_clients",
                columns: [
                    .init("client_id", "uuid NOT NULL"), .init("currency", "text"),
                    .init("charged_minor", "bigint NOT NULL"), .init("paid_minor", "bigint NOT NULL"),
                    .init("refunded_minor", "bigint NOT NULL"), .init("outstanding_minor", "bigint NOT NULL"),
                    .init("deposits_held_minor", "bigint NOT NULL"), .init("course_started", "boolean NOT NULL"),
                    .init("course_completed_at", "timestamptz"), .init("touch_ups", "integer NOT NULL"),
                    .init("erased", "boolean NOT NULL"),
                ],
                primaryKey: ["client_id"], mode: .upsert),
        ]
    }

    public func stateKey(for event: RecordedEvent) -> String? {
        event.stream.category == "client" ? event.stream.id : nil
    }

    public func initialState(for key: String) -> State { State(clientID: key) }

    public func fold(_ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput)
        throws
    {
        guard case .client(let clientEvent) = event else { return }
        var movement = Movement()
        switch clientEvent {
        case .treatmentPlanAgreed(let e):
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
                service: Self.service(e.purpose), location: e.locationID?.rawValue, technician: e.technicianID?.rawValue,
                currency: e.amount.currency.code)
            movement.cash = e.amount.minorUnits
            if e.purpose == .consultation {
                movement.earned = e.amount.minorUnits
                movement.services = 1
            }
        case .depositTaken(let e):
            state.currency = state.currency ?? e.amount.currency.code
            state.paid += e.amount.minorUnits
            state.deposits[e.depositID.uuidString] = State.Deposit(amount: e.amount.minorUnits, status: "held")
            movement = Movement(service: "deposit", currency: e.amount.currency.code)
            movement.cash = e.amount.minorUnits
            movement.depositsTaken = e.amount.minorUnits
        case .depositApplied(let e):
            let amount = state.deposits[e.depositID.uuidString]?.amount ?? 0
            state.deposits[e.depositID.uuidString]?.status = "applied"
            movement = Movement(service: "deposit", currency: state.currency)
            movement.depositsApplied = amount
        case .depositForfeited(let e):
            let amount = state.deposits[e.depositID.uuidString]?.amount ?? 0
            state.deposits[e.depositID.uuidString]?.status = "forfeited"
            movement = Movement(service: "forfeited deposit", currency: state.currency)
            movement.depositsForfeited = amount
            movement.earned = amount
        case .refundIssued(let e):
            state.refunded += e.amount.minorUnits
            movement = Movement(service: "refund", currency: e.amount.currency.code)
            movement.refunds = e.amount.minorUnits
            if let depositID = e.depositID {
                state.deposits[depositID.uuidString]?.status = "refunded"
                movement.depositsRefunded = e.amount.minorUnits
            }
        case .sessionPerformed(let e):
            state.sessionsPerformed += 1
            if state.courseCompletedAt == nil, state.sessionsPlanned > 0, state.sessionsPerformed >= state.sessionsPlanned {
                state.courseCompletedAt = e.at
            }
            movement = Movement(
                service: "course session", location: e.locationID.rawValue, technician: e.technicianID.rawValue,
                currency: state.currency)
            movement.earned = state.sessionPrice
            movement.services = 1
        case .touchUpBooked(let e):
            state.touchUpQuotes[e.appointmentID.uuidString] = e.quotedPrice.minorUnits
        case .touchUpPerformed(let e):
            state.touchUpsPerformed += 1
            let price = state.touchUpQuotes.removeValue(forKey: e.appointmentID.uuidString) ?? 0
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
