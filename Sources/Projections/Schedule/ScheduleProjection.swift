import Clinic
import EventStore
import Foundation

/// Appointments per location and technician, with their status, and the names to show.
///
/// Tables: `schedule_appointments` (one row per consultation, course session or touch-up:
/// client, kind, location, technician, starts/ends, status `booked`, `rescheduled`,
/// `cancelled`, `no-show` or `completed`), `schedule_technicians` and `schedule_locations`
/// (names from their own streams). A client's fold state holds only its open appointments.
public struct ScheduleProjection: FoldingProjection {
    public let name = "schedule"
    /// v2: correction and removal bookings. v3: only the events it `folds` make a stream's state (a client who
    /// never booked, a technician with no registration, has no state row).
    /// v4: fold states stored as `json` text, not `jsonb` (written and read back verbatim; nothing queries into them).
    public let version = 4

    public init() {}

    /// For a client stream: its appointments not yet closed. For a technician or location
    /// stream: the facts its row shows.
    public struct State: Codable, Sendable {
        public var open: [String: Appointment] = [:]
        public var displayName: String?
        public var homeLocation: String?
        public var city: String?
        public var timeZone: String?
        public var currency: String?
        public var deactivatedAt: Date?

        public struct Appointment: Codable, Sendable, Hashable {
            public var kind: String
            public var sessionNumber: Int?
            public var location: String
            public var technician: String
            public var startsAt: Date
            public var endsAt: Date
            public var status: String
            public var bookedAt: Date
            public var reschedules = 0
        }
    }

    public var tables: [TableSpec] {
        [
            TableSpec(
                name: "schedule_appointments",
                columns: [
                    .init("appointment_id", "uuid NOT NULL"), .init("client_id", "uuid NOT NULL"),
                    .init("kind", "text NOT NULL"), .init("session_number", "integer"),
                    .init("location", "text NOT NULL"), .init("technician", "text NOT NULL"),
                    .init("starts_at", "timestamptz NOT NULL"), .init("ends_at", "timestamptz NOT NULL"),
                    .init("status", "text NOT NULL"), .init("booked_at", "timestamptz NOT NULL"),
                    .init("reschedules", "integer NOT NULL"), .init("closed_at", "timestamptz"),
                    .init("cancelled_by", "text"), .init("reason", "text"),
                ],
                primaryKey: ["appointment_id"], mode: .upsert,
                indexes: ["starts_at", "location, starts_at", "technician, starts_at", "client_id"]),
            TableSpec(
                name: "schedule_technicians",
                columns: [
                    .init("technician_id", "text NOT NULL"), .init("display_name", "text"),
                    .init("home_location", "text"), .init("active", "boolean NOT NULL"),
                    .init("deactivated_at", "timestamptz"),
                ],
                primaryKey: ["technician_id"], mode: .upsert),
            TableSpec(
                name: "schedule_locations",
                columns: [
                    .init("location_id", "text NOT NULL"), .init("name", "text"), .init("city", "text"),
                    .init("time_zone", "text"), .init("currency", "text"),
                ],
                primaryKey: ["location_id"], mode: .upsert),
        ]
    }

    public func stateKey(for stream: EventStreamName) -> String? {
        switch stream.category {
        case "client", "technician", "location": stream.rawValue
        default: nil
        }
    }

    /// The client's, technician's or location's stream, whose name is the key.
    public func stream(forKey key: String) -> EventStreamName? {
        (try? EventStreamName(key)).flatMap { stateKey(for: $0) == key ? $0 : nil }
    }

    public func initialState(for key: String) -> State { State() }

    /// Appointments and the names of technicians and locations: not slots, hours, money, photos or care.
    public func folds(_ event: ClinicEvent) -> Bool {
        switch event {
        case .technician(.registered), .technician(.deactivated), .location(.opened),
            .client(.consultationBooked), .client(.consultationRescheduled), .client(.consultationCancelled),
            .client(.consultationNoShow), .client(.consultationHeld), .client(.sessionBooked),
            .client(.touchUpBooked), .client(.correctionBooked), .client(.correctionPerformed),
            .client(.sessionCancelled), .client(.sessionNoShow), .client(.sessionPerformed),
            .client(.touchUpPerformed), .client(.forgotten):
            true
        default: false
        }
    }

    public func fold(
        _ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput
    )
        throws
    {
        let id = recorded.stream.id ?? ""
        switch event {
        case .technician(.registered(let e)):
            state.displayName = e.displayName
            state.homeLocation = e.homeLocationID?.rawValue
        case .technician(.deactivated(let e)):
            state.deactivatedAt = e.at
        case .technician:
            return
        case .location(.opened(let e)):
            state.displayName = e.name
            state.city = e.city
            state.timeZone = e.timeZone
            state.currency = e.currency.code
        case .location:
            return
        case .client(let clientEvent):
            try fold(client: id, &state, clientEvent, into: &output)
            return
        case .pigmentBatch, .care, .settings:
            return
        }
        if recorded.stream.category == "technician" {
            try output.write(
                "schedule_technicians",
                [
                    "technician_id": .text(id), "display_name": state.displayName.rowValue,
                    "home_location": state.homeLocation.rowValue, "active": .bool(state.deactivatedAt == nil),
                    "deactivated_at": state.deactivatedAt.rowValue,
                ])
        } else {
            try output.write(
                "schedule_locations",
                [
                    "location_id": .text(id), "name": state.displayName.rowValue, "city": state.city.rowValue,
                    "time_zone": state.timeZone.rowValue, "currency": state.currency.rowValue,
                ])
        }
    }

    private func fold(client: String, _ state: inout State, _ event: ClientEvent, into output: inout ProjectionOutput)
        throws
    {
        func book(
            _ id: AppointmentID, _ kind: String, _ number: Int?, _ slot: TimeSlot, _ location: LocationID,
            _ technician: TechnicianID
        ) throws {
            let appointment = State.Appointment(
                kind: kind, sessionNumber: number, location: location.rawValue, technician: technician.rawValue,
                startsAt: slot.start, endsAt: slot.end, status: "booked", bookedAt: event.at)
            state.open[key(id)] = appointment
            try write(id, appointment)
        }
        func reschedule(_ id: AppointmentID, _ slot: TimeSlot, _ location: LocationID, _ technician: TechnicianID)
            throws
        {
            guard var appointment = state.open[key(id)] else { return }
            appointment.startsAt = slot.start
            appointment.endsAt = slot.end
            appointment.location = location.rawValue
            appointment.technician = technician.rawValue
            appointment.status = "rescheduled"
            appointment.reschedules += 1
            state.open[key(id)] = appointment
            try write(id, appointment)
        }
        func close(_ id: AppointmentID, _ status: String, by: CancelledBy? = nil, reason: String? = nil) throws {
            guard var appointment = state.open.removeValue(forKey: key(id)) else { return }
            appointment.status = status
            try write(id, appointment, closedAt: event.at, cancelledBy: by?.rawValue, reason: reason)
        }
        func write(
            _ id: AppointmentID, _ appointment: State.Appointment, closedAt: Date? = nil, cancelledBy: String? = nil,
            reason: String? = nil
        ) throws {
            try output.write(
                "schedule_appointments",
                [
                    "appointment_id": .text(key(id)), "client_id": .text(client), "kind": .text(appointment.kind),
                    "session_number": appointment.sessionNumber.map { RowValue.int(Int64($0)) } ?? .null,
                    "location": .text(appointment.location), "technician": .text(appointment.technician),
                    "starts_at": .date(appointment.startsAt), "ends_at": .date(appointment.endsAt),
                    "status": .text(appointment.status), "booked_at": .date(appointment.bookedAt),
                    "reschedules": .int(Int64(appointment.reschedules)), "closed_at": closedAt.rowValue,
                    "cancelled_by": cancelledBy.rowValue, "reason": reason.rowValue,
                ])
        }

        switch event {
        case .consultationBooked(let e):
            try book(e.appointmentID, "consultation", nil, e.slot, e.locationID, e.technicianID)
        case .consultationRescheduled(let e):
            try reschedule(e.appointmentID, e.slot, e.locationID, e.technicianID)
        case .consultationCancelled(let e):
            try close(e.appointmentID, "cancelled", by: e.cancelledBy, reason: e.reason)
        case .consultationNoShow(let e):
            try close(e.appointmentID, "no-show")
        case .consultationHeld(let e):
            try close(e.appointmentID, "completed")
        case .sessionBooked(let e):
            try book(e.appointmentID, "session", e.sessionNumber, e.slot, e.locationID, e.technicianID)
        case .touchUpBooked(let e):
            try book(e.appointmentID, "touch-up", nil, e.slot, e.locationID, e.technicianID)
        case .correctionBooked(let e):
            try book(e.appointmentID, "correction", e.sessionNumber, e.slot, e.locationID, e.technicianID)
        case .correctionPerformed(let e):
            if let id = e.appointmentID { try close(id, "completed") }
        case .sessionCancelled(let e):
            try close(e.appointmentID, "cancelled", by: e.cancelledBy, reason: e.reason)
        case .sessionNoShow(let e):
            try close(e.appointmentID, "no-show")
        case .sessionPerformed(let e):
            try close(e.appointmentID, "completed")
        case .touchUpPerformed(let e):
            try close(e.appointmentID, "completed")
        case .forgotten(let e):
            // Forgetting releases every open slot; the appointments will not take place.
            for id in state.open.keys.sorted() {
                guard let uuid = UUID(uuidString: id) else { continue }
                try close(uuid, "cancelled", by: .client, reason: "client forgotten: \(e.reason)")
            }
        default:
            return
        }
    }

    private func key(_ id: AppointmentID) -> String { id.lowerText }
}
