import Clinic
import EventStore
import Foundation

/// Which pigment batch went into which client, and what is known about each batch.
///
/// Tables: `traceability_batches` (one row per batch: product, expiry, supplier, received,
/// recalled with its reason) and `traceability_uses` (one row per session or touch-up that
/// used a batch: client, time, technician, location, appointment). A use is recorded even
/// when its batch never arrived through a `pigment.batch-received` event, so a recall can
/// still find every client. No personal data is stored: names are joined at query time.
public struct TraceabilityProjection: FoldingProjection {
    public let name = "traceability"
    /// v2: only the events it `folds` make a stream's state (a client never treated has no state row).
    /// v3: fold states stored as `json` text, not `jsonb` (written and read back verbatim; nothing queries into them).
    public let version = 3

    public init() {}

    /// What the fold remembers: for a batch stream, the batch's facts (a recall rewrites the
    /// whole row); for a client stream, nothing but the number of uses seen.
    public struct State: Codable, Sendable {
        public var batch: Batch?
        public var uses = 0

        public struct Batch: Codable, Sendable, Hashable {
            public var batchNumber: String
            public var product: String?
            public var expiresOn: String?
            public var supplier: String?
            public var location: String?
            public var receivedAt: Date?
            public var recalledAt: Date?
            public var recallReason: String?
        }
    }

    public var tables: [TableSpec] {
        [
            TableSpec(
                name: "traceability_batches",
                columns: [
                    .init("batch_number", "text NOT NULL"), .init("product", "text"), .init("expires_on", "date"),
                    .init("supplier", "text"), .init("location", "text"), .init("received_at", "timestamptz"),
                    .init("recalled_at", "timestamptz"), .init("recall_reason", "text"),
                ],
                primaryKey: ["batch_number"], mode: .upsert),
            TableSpec(
                name: "traceability_uses",
                columns: [
                    .init("batch_number", "text NOT NULL"), .init("appointment_id", "uuid NOT NULL"),
                    .init("client_id", "uuid NOT NULL"), .init("kind", "text NOT NULL"),
                    .init("session_number", "integer"), .init("performed_at", "timestamptz NOT NULL"),
                    .init("technician", "text NOT NULL"), .init("location", "text NOT NULL"),
                    .init("product", "text NOT NULL"), .init("expires_on", "date NOT NULL"),
                    .init("dilution", "text NOT NULL"), .init("position", "bigint NOT NULL"),
                ],
                primaryKey: ["batch_number", "appointment_id"], mode: .insert, indexes: ["client_id"]),
        ]
    }

    public func stateKey(for stream: EventStreamName) -> String? {
        switch stream.category {
        case "client", "pigment": stream.rawValue
        default: nil
        }
    }

    /// The client's or pigment's stream, whose name is the key.
    public func stream(forKey key: String) -> EventStreamName? {
        (try? EventStreamName(key)).flatMap { stateKey(for: $0) == key ? $0 : nil }
    }

    public func initialState(for key: String) -> State { State() }

    /// Pigment batches, and the treatments that used them.
    public func folds(_ event: ClinicEvent) -> Bool {
        switch event {
        case .pigmentBatch, .client(.sessionPerformed), .client(.touchUpPerformed): true
        default: false
        }
    }

    public func fold(
        _ state: inout State, _ event: ClinicEvent, recorded: RecordedEvent, into output: inout ProjectionOutput
    )
        throws
    {
        switch event {
        case .pigmentBatch(let batchEvent):
            var batch = state.batch ?? State.Batch(batchNumber: recorded.stream.id ?? "")
            switch batchEvent {
            case .received(let e):
                batch.batchNumber = e.batchNumber.rawValue
                batch.product = e.product
                batch.expiresOn = e.expiresOn.description
                batch.supplier = e.supplier
                batch.location = e.locationID?.rawValue
                batch.receivedAt = e.at
            case .recalled(let e):
                batch.recalledAt = e.at
                batch.recallReason = e.reason
            }
            state.batch = batch
            try output.write(
                "traceability_batches",
                [
                    "batch_number": .text(batch.batchNumber), "product": batch.product.rowValue,
                    "expires_on": batch.expiresOn.rowValue, "supplier": batch.supplier.rowValue,
                    "location": batch.location.rowValue, "received_at": batch.receivedAt.rowValue,
                    "recalled_at": batch.recalledAt.rowValue, "recall_reason": batch.recallReason.rowValue,
                ])
        case .client(.sessionPerformed(let e)):
            try use(
                &state, kind: "session", sessionNumber: e.sessionNumber, appointment: e.appointmentID, at: e.at,
                technician: e.technicianID, location: e.locationID, treatment: e.treatment, recorded: recorded,
                into: &output)
        case .client(.touchUpPerformed(let e)):
            try use(
                &state, kind: "touch-up", sessionNumber: nil, appointment: e.appointmentID, at: e.at,
                technician: e.technicianID, location: e.locationID, treatment: e.treatment, recorded: recorded,
                into: &output)
        default:
            return
        }
    }

    private func use(
        _ state: inout State, kind: String, sessionNumber: Int?, appointment: AppointmentID, at: Date,
        technician: TechnicianID, location: LocationID, treatment: TreatmentRecord, recorded: RecordedEvent,
        into output: inout ProjectionOutput
    ) throws {
        state.uses += 1
        let pigment = treatment.pigment
        try output.write(
            "traceability_uses",
            [
                "batch_number": .text(pigment.batchNumber.rawValue),
                "appointment_id": .text(appointment.lowerText),
                "client_id": .text(recorded.stream.id ?? ""), "kind": .text(kind),
                "session_number": sessionNumber.map { RowValue.int(Int64($0)) } ?? .null, "performed_at": .date(at),
                "technician": .text(technician.rawValue), "location": .text(location.rawValue),
                "product": .text(pigment.product), "expires_on": .text(pigment.batchExpiresOn.description),
                "dilution": .text(pigment.dilution), "position": .int(recorded.position),
            ])
    }
}
