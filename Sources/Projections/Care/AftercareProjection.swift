import Clinic
import EventStore
import Foundation

/// Every performed session and touch-up with the aftercare given for it, so a studio can list the treatments whose
/// client went home without aftercare (`AftercareQueries.followUps`).
///
/// Table `aftercare_treatments`: one row per performed treatment (client, kind, session number, location,
/// technician, performed at), the first aftercare given for it (time, set, version, channel), when the client
/// acknowledged it, and `client_forgotten` once the client is forgotten (nothing can be given to them any more).
/// Version 1 `client.instructions-given` events name no appointment and count for none. No personal data.
public struct AftercareProjection: FoldingProjection {
    public let name = "aftercare"
    /// v2: only the events it `folds` make a client's state (a client with none of them has no state row).
    /// v3: fold states stored as `json` text, not `jsonb` (written and read back verbatim; nothing queries into them).
    public let version = 3

    public init() {}

    /// For a client stream: its performed treatments whose aftercare is not yet given and acknowledged.
    public struct State: Codable, Sendable {
        public var open: [String: Treatment] = [:]

        public struct Treatment: Codable, Sendable, Hashable {
            public var kind: String
            public var sessionNumber: Int?
            public var location: String
            public var technician: String
            public var performedAt: Date
            public var givenAt: Date?
            public var instructionSet: String?
            public var instructionVersion: Int?
            public var channel: String?
            public var acknowledgedAt: Date?
        }
    }

    public var tables: [TableSpec] {
        [
            TableSpec(
                name: "aftercare_treatments",
                columns: [
                    .init("appointment_id", "uuid NOT NULL"), .init("client_id", "uuid NOT NULL"),
                    .init("kind", "text NOT NULL"), .init("session_number", "integer"),
                    .init("location", "text NOT NULL"), .init("technician", "text NOT NULL"),
                    .init("performed_at", "timestamptz NOT NULL"), .init("given_at", "timestamptz"),
                    .init("instruction_set", "text"), .init("instruction_version", "integer"),
                    .init("channel", "text"), .init("acknowledged_at", "timestamptz"),
                    .init("client_forgotten", "boolean NOT NULL"),
                ],
                primaryKey: ["appointment_id"], mode: .upsert, indexes: ["performed_at", "client_id"])
        ]
    }

    public func stateKey(for stream: EventStreamName) -> String? {
        stream.category == Clinic.StreamName.clientCategory ? stream.rawValue : nil
    }

    /// The client's stream, whose name is the key.
    public func stream(forKey key: String) -> EventStreamName? {
        (try? EventStreamName(key)).flatMap { stateKey(for: $0) == key ? $0 : nil }
    }

    public func initialState(for key: String) -> State { State() }

    /// Treatments performed, aftercare (not pre-care) given for an appointment and acknowledged, forgetting.
    public func folds(_ event: ClinicEvent) -> Bool {
        switch event {
        case .client(.sessionPerformed), .client(.touchUpPerformed), .client(.correctionPerformed),
            .client(.forgotten):
            true
        case .client(.instructionsGiven(let e)): e.kind == .aftercare && e.appointmentID != nil
        case .client(.instructionsAcknowledged(let e)): e.kind == .aftercare
        default: false
        }
    }

    public func fold(
        _ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput
    ) throws {
        guard case .client(let clientEvent) = event else { return }
        let client = recorded.stream.id ?? ""
        switch clientEvent {
        case .sessionPerformed(let e):
            let treatment = State.Treatment(
                kind: "session", sessionNumber: e.sessionNumber, location: e.locationID.rawValue,
                technician: e.technicianID.rawValue, performedAt: e.at)
            try update(&state, e.appointmentID, client: client, into: &output) { $0 = treatment }
        case .touchUpPerformed(let e):
            let treatment = State.Treatment(
                kind: "touch-up", location: e.locationID.rawValue, technician: e.technicianID.rawValue,
                performedAt: e.at)
            try update(&state, e.appointmentID, client: client, into: &output) { $0 = treatment }
        case .correctionPerformed(let e):
            guard let id = e.appointmentID else { return }
            let treatment = State.Treatment(
                kind: "correction", sessionNumber: e.sessionNumber, location: e.locationID?.rawValue ?? "",
                technician: e.technicianID?.rawValue ?? "", performedAt: e.at)
            try update(&state, id, client: client, into: &output) { $0 = treatment }
        case .instructionsGiven(let e):
            guard e.kind == .aftercare, let appointment = e.appointmentID else { return }
            try update(&state, appointment, client: client, into: &output) { treatment in
                guard treatment.givenAt == nil else { return }
                treatment.givenAt = e.at
                treatment.instructionSet = e.instructionSetID?.rawValue
                treatment.instructionVersion = e.instructionSetVersion
                treatment.channel = e.channel.rawValue
            }
        case .instructionsAcknowledged(let e):
            guard e.kind == .aftercare else { return }
            try update(&state, e.appointmentID, client: client, into: &output) { treatment in
                if treatment.acknowledgedAt == nil { treatment.acknowledgedAt = e.at }
            }
        case .forgotten:
            for key in state.open.keys.sorted() {
                guard let treatment = state.open[key] else { continue }
                try write(key, treatment, client: client, forgotten: true, into: &output)
            }
            state.open = [:]
        default:
            return
        }
    }

    /// Changes a performed treatment's row (one that is not open any more, or never was performed, is left alone;
    /// a performance creates it); it stays open until its aftercare is given and acknowledged.
    private func update(
        _ state: inout State, _ appointment: AppointmentID, client: String, into output: inout ProjectionOutput,
        _ change: (inout State.Treatment) -> Void
    ) throws {
        let key = appointment.lowerText
        var treatment =
            state.open[key]
            ?? State.Treatment(kind: "", location: "", technician: "", performedAt: .distantPast)
        change(&treatment)
        guard !treatment.kind.isEmpty else { return }
        try write(key, treatment, client: client, forgotten: false, into: &output)
        state.open[key] = treatment.givenAt != nil && treatment.acknowledgedAt != nil ? nil : treatment
    }

    private func write(
        _ key: String, _ treatment: State.Treatment, client: String, forgotten: Bool,
        into output: inout ProjectionOutput
    ) throws {
        try output.write(
            "aftercare_treatments",
            [
                "appointment_id": .text(key), "client_id": .text(client), "kind": .text(treatment.kind),
                "session_number": treatment.sessionNumber.map { RowValue.int(Int64($0)) } ?? .null,
                "location": .text(treatment.location), "technician": .text(treatment.technician),
                "performed_at": .date(treatment.performedAt), "given_at": treatment.givenAt.rowValue,
                "instruction_set": treatment.instructionSet.rowValue,
                "instruction_version": treatment.instructionVersion.map { RowValue.int(Int64($0)) } ?? .null,
                "channel": treatment.channel.rowValue, "acknowledged_at": treatment.acknowledgedAt.rowValue,
                "client_forgotten": .bool(forgotten),
            ])
    }
}
