import Foundation
import Postgres

/// Answers "who received this pigment batch?" from the traceability projection.
public struct RecallQueries: Sendable {
    public let pool: ConnectionPool
    /// The schema holding the traceability tables (the live one, or an auditor's snapshot).
    public var schema: String
    /// The schema holding `timeline_clients`, for names.
    public var timelineSchema: String

    public init(pool: ConnectionPool, schema: String = "traceability", timelineSchema: String = "timeline") {
        self.pool = pool
        self.schema = schema
        self.timelineSchema = timelineSchema
    }

    /// Everything known about `batch`, every session and touch-up it was used in, and the
    /// clients to contact; nil when the batch was neither received nor used.
    /// Batches that have been recalled, most recent first.
    public func recalledBatches() async throws -> [String] {
        try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT batch_number FROM \(identifier: schema).traceability_batches
                WHERE recalled_at IS NOT NULL ORDER BY recalled_at DESC, batch_number
                """
            ).map { try $0.decode(String.self) }
        }
    }

    public func recall(batch: String) async throws -> RecallReport? {
        try await pool.withConnection { connection in
            let facts = try await connection.query(
                """
                SELECT product, expires_on::text, supplier, location, received_at, recalled_at, recall_reason
                FROM \(identifier: schema).traceability_batches WHERE batch_number = \(batch)
                """
            ).first
            let useRows = try await connection.query(
                """
                SELECT client_id::text, appointment_id::text, kind, session_number, performed_at, technician, location,
                       product, expires_on::text, dilution
                FROM \(identifier: schema).traceability_uses WHERE batch_number = \(batch)
                ORDER BY performed_at, position
                """)
            guard facts != nil || !useRows.isEmpty else { return nil }
            let uses = try useRows.map { row in
                let (
                    client, appointment, kind, session, performedAt, technician, location, product, expires, dilution
                ) =
                    try row.decode(
                        (String, String, String, Int?, Date, String, String, String, String, String).self)
                return RecallReport.Use(
                    clientID: client, appointmentID: appointment, kind: kind, sessionNumber: session,
                    performedAt: performedAt, technician: technician, location: location, product: product,
                    expiresOn: expires, dilution: dilution)
            }
            let names = try await ClientNames.lookup(uses.map(\.clientID), schema: timelineSchema, on: connection)
            var clients: [String: RecallReport.Client] = [:]
            for use in uses {
                var client =
                    clients[use.clientID]
                    ?? RecallReport.Client(
                        clientID: use.clientID, name: names[use.clientID], uses: 0, firstUse: use.performedAt,
                        lastUse: use.performedAt)
                client.uses += 1
                client.firstUse = min(client.firstUse, use.performedAt)
                client.lastUse = max(client.lastUse, use.performedAt)
                clients[use.clientID] = client
            }
            let first = uses.first
            let (product, expiresOn, supplier, location, receivedAt, recalledAt, recallReason) =
                try facts?.decode((String?, String?, String?, String?, Date?, Date?, String?).self)
                ?? (nil, nil, nil, nil, nil, nil, nil)
            return RecallReport(
                batchNumber: batch,
                product: product ?? first?.product,
                expiresOn: expiresOn ?? first?.expiresOn,
                supplier: supplier,
                location: location,
                receivedAt: receivedAt,
                recalledAt: recalledAt,
                recallReason: recallReason,
                uses: uses,
                clients: clients.values.sorted { ($0.firstUse, $0.clientID) < ($1.firstUse, $1.clientID) })
        }
    }
}

/// A pigment batch's facts, its uses, and the distinct clients who received it.
public struct RecallReport: Sendable, Hashable, Codable {
    public var batchNumber: String
    public var product: String?
    /// `YYYY-MM-DD`.
    public var expiresOn: String?
    public var supplier: String?
    public var location: String?
    /// Nil when the batch's arrival was never recorded.
    public var receivedAt: Date?
    public var recalledAt: Date?
    public var recallReason: String?
    /// Every session and touch-up that used the batch, oldest first.
    public var uses: [Use]
    /// The distinct clients to contact, by first use.
    public var clients: [Client]

    public var isRecalled: Bool { recalledAt != nil }

    /// One session or touch-up that used the batch.
    public struct Use: Sendable, Hashable, Codable {
        public var clientID: String
        public var appointmentID: String
        /// `session` or `touch-up`.
        public var kind: String
        public var sessionNumber: Int?
        public var performedAt: Date
        public var technician: String
        public var location: String
        public var product: String
        public var expiresOn: String
        public var dilution: String
    }

    /// A client who received the batch; `name` is "(erased)" for a forgotten client.
    public struct Client: Sendable, Hashable, Codable {
        public var clientID: String
        public var name: String?
        public var uses: Int
        public var firstUse: Date
        public var lastUse: Date
    }
}
